from django.apps import AppConfig


class TrendsConfig(AppConfig):
    name = "apps.trends"
    label = "trends"
    verbose_name = "Trends"

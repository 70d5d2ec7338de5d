from django.apps import AppConfig


class CollaborationsConfig(AppConfig):
    name = "apps.collaborations"
    label = "collaborations"
    verbose_name = "Collaborations"

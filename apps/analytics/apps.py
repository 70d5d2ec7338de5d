from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "apps.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        # Importing the receivers connects them (a deleted publication leaves the reward ledger).
        from .receivers import learning_providers_register

        learning_providers_register()

from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "apps.learning"
    label = "learning"
    verbose_name = "Learning"

    def ready(self) -> None:
        from .policy import trend_scorer_provider_register

        # Trends scores with the learned reward without importing learning (it sits below):
        # learning hands the scorer its reader of the reward ledger.
        trend_scorer_provider_register()

from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "apps.learning"
    label = "learning"
    verbose_name = "Learning"

    def ready(self) -> None:
        # Trends scores with the learned reward without importing learning (it sits below):
        # learning hands the scorer its reader of the reward ledger.
        from apps.trends.scoring import past_rewards_provider_register

        from .policy import brand_past_rewards

        past_rewards_provider_register(brand_past_rewards)

from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "apps.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        # Celery's autodiscovery imports each app's `tasks` module only; the learning loop's tasks
        # live in their own module.
        from . import tasks_learning  # noqa: F401

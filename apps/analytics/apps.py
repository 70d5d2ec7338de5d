from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "apps.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from apps.learning.selectors import published_count_provider_register

        from . import receivers  # noqa: F401  (a deleted publication leaves the reward ledger)
        from .metrics_selectors import brand_published_count

        # The Learning page's "nothing published yet" asks how many posts went out; learning sits
        # below publishing, so analytics, which reads publications, tells it.
        published_count_provider_register(brand_published_count)

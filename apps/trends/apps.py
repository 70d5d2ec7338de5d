from django.apps import AppConfig

from apps.brands.signals import brand_profile_changed


class TrendsConfig(AppConfig):
    name = "apps.trends"
    label = "trends"
    verbose_name = "Trends"

    def ready(self) -> None:
        from .services import brand_profile_changed_rescore

        # A brand's new industry, pillars or audience: rescore it (brands cannot import trends).
        brand_profile_changed.connect(brand_profile_changed_rescore, dispatch_uid="trends.rescore_on_profile")

from django.apps import AppConfig


class BrandsConfig(AppConfig):
    name = "apps.brands"
    label = "brands"
    verbose_name = "Brands"

    def ready(self) -> None:
        from allauth.socialaccount.signals import social_account_added, social_account_updated

        from .receivers import link_connected_account_to_brand

        # A brand user's new (or renewed) OAuth account becomes the brand's connection; accounts
        # sends allauth's signal and never imports brands.
        for signal in (social_account_added, social_account_updated):
            signal.connect(link_connected_account_to_brand, dispatch_uid="brands.link_connected_account")

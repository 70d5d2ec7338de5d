from django.apps import AppConfig


class CollaborationsConfig(AppConfig):
    name = "apps.collaborations"
    label = "collaborations"
    verbose_name = "Collaborations"

    def ready(self) -> None:
        from allauth.socialaccount.signals import social_account_added, social_account_updated

        from .receivers import record_influencer_connected_account

        # An influencer's connected account verifies their follower count; accounts sends
        # allauth's signal and never imports collaborations.
        for signal in (social_account_added, social_account_updated):
            signal.connect(
                record_influencer_connected_account, dispatch_uid="collaborations.connected_account"
            )

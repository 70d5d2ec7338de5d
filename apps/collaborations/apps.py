from django.apps import AppConfig


class CollaborationsConfig(AppConfig):
    name = "apps.collaborations"
    label = "collaborations"
    verbose_name = "Collaborations"

    def ready(self) -> None:
        from allauth.socialaccount.signals import social_account_added, social_account_updated
        from django.db.models.signals import post_save

        from apps.trends.models import BrandEmbedding

        from .models import InfluencerProfile
        from .receivers import record_influencer_connected_account
        from .services.fit import influencer_embed_on_save, influencer_fit_refresh_on_brand_embedding

        # An influencer's connected account verifies their follower count; accounts sends
        # allauth's signal and never imports collaborations.
        for signal in (social_account_added, social_account_updated):
            signal.connect(
                record_influencer_connected_account, dispatch_uid="collaborations.connected_account"
            )
        # A profile's text changed: embed it in the worker. The trends app stored a brand's new
        # embedding: re-rank the brand's influencers by fit.
        post_save.connect(
            influencer_embed_on_save, sender=InfluencerProfile, dispatch_uid="collaborations.embed"
        )
        post_save.connect(
            influencer_fit_refresh_on_brand_embedding,
            sender=BrandEmbedding,
            dispatch_uid="collaborations.fit",
        )

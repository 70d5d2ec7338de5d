"""The brand's marketplace pages: /brand/<id>/influencers/, its offers form and /brand/<id>/offers/."""

from django.urls import path

from . import views_brand as views
from .views_ledger import brand_statement

app_name = "collaborations_brand"

urlpatterns = [
    path("influencers/", views.influencers_current, name="current"),
    path("brand/<int:brand_id>/influencers/", views.influencers, name="influencers"),
    path(
        "brand/<int:brand_id>/influencers/<int:profile_id>/shortlist/",
        views.shortlist_toggle_view,
        name="shortlist_toggle",
    ),
    path("brand/<int:brand_id>/offers/", views.offers, name="offers"),
    path("brand/<int:brand_id>/ledger/statement.csv", brand_statement, name="statement"),
    path("brand/<int:brand_id>/offers/new/", views.offer_new, name="offer_new"),
    path("brand/<int:brand_id>/offers/<int:offer_id>/withdraw/", views.offer_withdraw_view, name="withdraw"),
    path(
        "brand/<int:brand_id>/offers/<int:offer_id>/counter/accept/",
        views.counter_accept_view,
        name="counter_accept",
    ),
    path(
        "brand/<int:brand_id>/offers/<int:offer_id>/counter/decline/",
        views.counter_decline_view,
        name="counter_decline",
    ),
    path(
        "brand/<int:brand_id>/applications/<int:application_id>/pick/",
        views.application_pick_view,
        name="pick",
    ),
    path("brand/<int:brand_id>/collaborations/roi/", views.collaboration_roi, name="roi"),
    path("brand/<int:brand_id>/collaborations/settings/", views.collaboration_prices, name="prices"),
]

from django.urls import path

from .consumers import BrandScoringConsumer, TrendRefreshConsumer

websocket_urlpatterns = [
    path("ws/staff/trends/", TrendRefreshConsumer.as_asgi()),
    path("ws/brands/<int:brand_id>/scoring/", BrandScoringConsumer.as_asgi()),
]

from django.urls import path

from .consumers import TrendRefreshConsumer

websocket_urlpatterns = [path("ws/staff/trends/", TrendRefreshConsumer.as_asgi())]

from django.urls import path

from .consumers import MemeFeedConsumer

websocket_urlpatterns = [path("ws/memes/feed/", MemeFeedConsumer.as_asgi())]

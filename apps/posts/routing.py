from django.urls import path

from .consumers import PostProgressConsumer

websocket_urlpatterns = [path("ws/posts/<int:post_id>/", PostProgressConsumer.as_asgi())]

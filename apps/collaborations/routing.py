from django.urls import path

from .consumers import CollaborationThreadConsumer

websocket_urlpatterns = [
    path("ws/collaborations/<int:collaboration_id>/", CollaborationThreadConsumer.as_asgi()),
]

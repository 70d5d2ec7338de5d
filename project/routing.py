"""WebSocket routes of every app, mounted by project.asgi."""

from apps.collaborations.routing import websocket_urlpatterns as collaboration_routes
from apps.memes.routing import websocket_urlpatterns as meme_routes
from apps.notifications.routing import websocket_urlpatterns as notification_routes
from apps.posts.routing import websocket_urlpatterns as post_routes
from apps.trends.routing import websocket_urlpatterns as trend_routes

websocket_urlpatterns = [
    *notification_routes,
    *trend_routes,
    *post_routes,
    *meme_routes,
    *collaboration_routes,
]

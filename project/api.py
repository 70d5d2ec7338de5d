"""The one JSON API of social-medAI, mounted at /api/v1/; each app adds its router here."""

from ninja import NinjaAPI

from apps.accounts.api import router as accounts_router
from apps.accounts.api_auth import API_AUTH
from apps.analytics.api import router as analytics_router
from apps.brands.api import router as brands_router
from apps.collaborations.api import router as collaborations_router
from apps.core.api import install_error_handlers
from apps.learning.api import router as learning_router
from apps.media.api import router as media_router
from apps.memes.api import router as memes_router
from apps.notifications.api import router as notifications_router
from apps.posts.api import router as posts_router
from apps.publishing.api import router as publishing_router
from apps.trends.api import router as trends_router

api = NinjaAPI(
    title="social-medAI API",
    version="1",
    description=(
        "Authenticate with a personal API token (`Authorization: Bearer smai_…`, created on the "
        'account settings page) or a browser session. Errors are JSON: `{"detail": message}`.'
    ),
    auth=API_AUTH,
    urls_namespace="api",
    docs_url=None,  # served at /api/docs by project.urls
)
install_error_handlers(api)

# Memes first: GET /memes/trending is the busiest endpoint, and Django tries the API's URL patterns
# in this order (the routers' paths do not overlap, so the order changes nothing else).
api.add_router("/", memes_router)
api.add_router("/", accounts_router)
api.add_router("/brands", brands_router)
api.add_router("/notifications", notifications_router)
api.add_router("/", trends_router)
api.add_router("/", posts_router)
api.add_router("/", media_router)
api.add_router("/", publishing_router)
api.add_router("/", analytics_router)
api.add_router("/", learning_router)
api.add_router("/", collaborations_router)

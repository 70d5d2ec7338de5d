"""Template context every page needs: product name, environment, the signed-in user's portal."""

from django.conf import settings


def site(request):
    return {
        "SITE_NAME": "social-medAI",
        "DJANGO_ENV": settings.DJANGO_ENV,
        "DEBUG": settings.DEBUG,
    }

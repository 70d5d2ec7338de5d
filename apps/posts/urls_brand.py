"""The composer's pages under the brand (/brand/<id>/posts/new/ …)."""

from django.urls import path

from . import views_composer

app_name = "composer"

urlpatterns = [
    path("brand/<int:brand_id>/posts/new/", views_composer.composer, name="new"),
    path("brand/<int:brand_id>/posts/new/autosave/", views_composer.composer_autosave, name="autosave"),
    path("brand/<int:brand_id>/posts/new/preview/", views_composer.composer_preview, name="preview"),
    path("brand/<int:brand_id>/posts/new/help/", views_composer.composer_help, name="help"),
    path("brand/<int:brand_id>/posts/<int:post_id>/compose/", views_composer.composer, name="edit"),
]

"""The media library pages: /brand/<id>/media/ and the access-checked files of its assets."""

from django.urls import path

from . import views

app_name = "media"

urlpatterns = [
    path("media/", views.media_current, name="current"),
    path("brand/<int:brand_id>/media/", views.library, name="library"),
    path("brand/<int:brand_id>/media/upload/", views.upload, name="upload"),
    path("brand/<int:brand_id>/media/<int:asset_id>/file/", views.asset_file, name="file"),
    path("brand/<int:brand_id>/media/<int:asset_id>/thumbnail/", views.asset_thumbnail, name="thumbnail"),
    path("brand/<int:brand_id>/media/<int:asset_id>/poster/", views.asset_poster, name="poster"),
    path("brand/<int:brand_id>/media/<int:asset_id>/alt/", views.alt_text, name="alt_text"),
    path("brand/<int:brand_id>/media/<int:asset_id>/crop/", views.crop, name="crop"),
    path("brand/<int:brand_id>/media/<int:asset_id>/delete/", views.delete, name="delete"),
]

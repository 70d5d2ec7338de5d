"""Post pages (/posts/...): drafts list, generate from a trend, review, and the graphics' files.
(A post page's publish panel and A/B card, and scheduling from the list: apps.publishing.urls.)"""

from django.urls import path

from . import views, views_comments, views_composer

app_name = "posts"

urlpatterns = [
    path("", views.post_list, name="list"),
    path("batch/", views.batch, name="batch"),
    path("new/", views_composer.composer_current, name="compose"),
    path("new/<int:trend_id>/", views.generate, name="generate"),
    path("<int:post_id>/", views.review, name="review"),
    path("<int:post_id>/content/", views.review_content, name="review_content"),
    path("<int:post_id>/copy/<str:platform>/", views.copy_update, name="copy_update"),
    path("<int:post_id>/regenerate/", views.regenerate, name="regenerate"),
    path("<int:post_id>/approve/", views.approve, name="approve"),
    path("<int:post_id>/reject/", views.reject, name="reject"),
    path("<int:post_id>/submit/", views.submit_for_approval, name="submit"),
    path("<int:post_id>/request-changes/", views.request_changes, name="request_changes"),
    path("<int:post_id>/comments/", views_comments.comments, name="comments"),
    path("<int:post_id>/comments/<int:comment_id>/resolve/", views_comments.resolve, name="comment_resolve"),
    path("<int:post_id>/preview-links/", views_comments.preview_link_create, name="preview_link_create"),
    path(
        "<int:post_id>/preview-links/<int:link_id>/revoke/",
        views_comments.preview_link_revoke,
        name="preview_link_revoke",
    ),
    path("preview/<str:token>/", views_comments.preview, name="preview"),
    path("<int:post_id>/graphics/<int:graphic_id>/", views.graphic_file, name="graphic"),
    path(
        "<int:post_id>/graphics/<int:graphic_id>/<str:variant>/", views.graphic_file, name="graphic_variant"
    ),
]

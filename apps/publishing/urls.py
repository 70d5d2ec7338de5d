"""Publishing pages: a post's publish actions (/posts/<id>/…), a publication's retry, and the
brand's calendar (/brand/<id>/calendar/)."""

from django.urls import path

from . import views

app_name = "publishing"

urlpatterns = [
    path("posts/<int:post_id>/publishing/", views.panel, name="panel"),
    path("posts/<int:post_id>/publish/", views.publish_now, name="publish_now"),
    path("posts/<int:post_id>/schedule/", views.schedule, name="schedule"),
    path("posts/<int:post_id>/queue/", views.queue, name="queue"),
    path("posts/<int:post_id>/unschedule/", views.unschedule, name="unschedule"),
    path("publications/<int:publication_id>/retry/", views.retry, name="retry"),
    path("calendar/", views.calendar_current, name="calendar_current"),
    path("brand/<int:brand_id>/calendar/", views.calendar, name="calendar"),
    path("brand/<int:brand_id>/calendar/move/", views.calendar_move, name="calendar_move"),
]

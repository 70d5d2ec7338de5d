"""Publishing pages: its parts of a post page (/posts/<id>/…: the publish panel and the A/B card
with their actions), scheduling from the posts list (/posts/batch/publish/), a publication's
retry, the brand's calendar (/brand/<id>/calendar/) and its iCal feed (/calendar/feed/), and posts
in and out as CSV (/brand/<id>/posts/import/, /brand/<id>/posts/export.csv)."""

from django.urls import path

from .views import ab, batch, calendar, csv_posts, feed, post

app_name = "publishing"

urlpatterns = [
    path("posts/<int:post_id>/panels/", post.post_panels, name="post_panels"),
    path("posts/<int:post_id>/publishing/", post.panel, name="panel"),
    path("posts/<int:post_id>/publish/", post.publish_now, name="publish_now"),
    path("posts/<int:post_id>/schedule/", post.schedule, name="schedule"),
    path("posts/<int:post_id>/queue/", post.queue, name="queue"),
    path("posts/<int:post_id>/unschedule/", post.unschedule, name="unschedule"),
    path("posts/<int:post_id>/ab-variant/", ab.ab_variant_create, name="ab_variant"),
    path("posts/<int:post_id>/ab-schedule/", ab.ab_schedule, name="ab_schedule"),
    path("posts/batch/publish/", batch.batch, name="batch"),
    path("publications/<int:publication_id>/retry/", post.retry, name="retry"),
    path("calendar/", calendar.calendar_current, name="calendar_current"),
    path("brand/<int:brand_id>/calendar/", calendar.calendar, name="calendar"),
    path("brand/<int:brand_id>/calendar/move/", calendar.calendar_move, name="calendar_move"),
    path("calendar/feed/", feed.calendar_feed_page, name="calendar_feed"),
    path("calendar/feed/regenerate/", feed.calendar_feed_regenerate, name="calendar_feed_regenerate"),
    path("calendar/feed/<str:token>.ics", feed.calendar_feed_ics, name="calendar_feed_ics"),
    path("brand/<int:brand_id>/posts/import/", csv_posts.posts_import_page, name="posts_import"),
    path(
        "brand/<int:brand_id>/posts/import/commit/", csv_posts.posts_import_commit, name="posts_import_commit"
    ),
    path(
        "brand/<int:brand_id>/posts/import/template.csv",
        csv_posts.posts_import_template,
        name="posts_import_template",
    ),
    path("brand/<int:brand_id>/posts/export.csv", csv_posts.posts_export_csv, name="posts_export"),
]

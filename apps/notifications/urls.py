from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list_page, name="list"),
    path("menu/", views.bell_menu, name="menu"),
    path("read-all/", views.notification_read_all, name="read_all"),
    path("test/", views.notification_test, name="test"),
    path("<int:notification_id>/read/", views.notification_read, name="read"),
]

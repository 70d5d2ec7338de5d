from django.urls import path

from . import views

app_name = "brands"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.brand_create, name="create"),
    path("<int:brand_id>/switch/", views.brand_switch, name="switch"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]

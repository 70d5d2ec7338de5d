"""Linked accounts of a brand (namespace "connections", mounted at /brand/<id>/connections/)."""

from django.urls import path

from apps.brands.views import connections as views

app_name = "connections"

urlpatterns = [
    path("", views.connection_list, name="list"),
    path("connect/<str:platform>/", views.connect, name="connect"),
    path("<int:connection_id>/disconnect/", views.disconnect, name="disconnect"),
    path("<int:connection_id>/import-voice/", views.import_voice, name="import_voice"),
]

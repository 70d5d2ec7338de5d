"""The Learning page (/brand/<id>/learning/) and its "Train now" action."""

from django.urls import path

from . import views

app_name = "learning"

urlpatterns = [
    path("learning/", views.learning_current, name="current"),
    path("brand/<int:brand_id>/learning/", views.learning, name="page"),
    path("brand/<int:brand_id>/learning/train/", views.learning_train, name="train"),
]

"""The Learning page (/brand/<id>/learning/) and its "Train now" action."""

from django.urls import path

from . import views_learning

app_name = "learning"

urlpatterns = [
    path("learning/", views_learning.learning_current, name="current"),
    path("brand/<int:brand_id>/learning/", views_learning.learning, name="page"),
    path("brand/<int:brand_id>/learning/train/", views_learning.learning_train, name="train"),
]

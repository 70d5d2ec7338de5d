from django.urls import path

from . import views

app_name = "collaborations"

urlpatterns = [path("", views.home, name="home")]

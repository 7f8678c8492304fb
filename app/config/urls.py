"""URL routes of the reference app."""

from django.urls import path

from web import views
from web.metrics import metrics_view

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    # Reached only from inside: the Nginx site answers 404 for it.
    path("metrics", metrics_view, name="metrics"),
]

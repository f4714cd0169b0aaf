"""URLs of the workspace area: notifications."""

from __future__ import annotations

from django.urls import path

from atiende.web.placeholders import placeholder

urlpatterns = [
    path("notifications/", placeholder, {"title": "Notifications"}, name="notifications"),
]

"""URLs of the workspace area: setup."""

from __future__ import annotations

from django.urls import path

from atiende.web.placeholders import placeholder

urlpatterns = [
    path("settings/", placeholder, {"title": "Settings"}, name="settings-home"),
]

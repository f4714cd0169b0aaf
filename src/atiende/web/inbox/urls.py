"""URLs of the workspace area: inbox."""

from __future__ import annotations

from django.urls import path

from atiende.web.placeholders import placeholder

urlpatterns = [
    path("", placeholder, {"title": "Inbox"}, name="inbox"),
]

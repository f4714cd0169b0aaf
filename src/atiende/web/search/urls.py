"""URLs of the workspace area: search."""

from __future__ import annotations

from django.urls import path

from atiende.web.placeholders import placeholder

urlpatterns = [
    path("search/", placeholder, {"title": "Search"}, name="search"),
]

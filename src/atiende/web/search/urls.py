"""URLs of the workspace area: search."""

from __future__ import annotations

from django.urls import path

from atiende.web.search import views

urlpatterns = [
    path("search/", views.results, name="search"),
    path("search/suggest/", views.suggest, name="search-suggest"),
]

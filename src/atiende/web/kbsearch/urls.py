"""URLs of the help center's search and of the request form's suggestions."""

from __future__ import annotations

from django.urls import path

from atiende.web.kbsearch import views

urlpatterns = [
    path("help/search/", views.search_page, name="help-search"),
    path("help/suggest/", views.suggestions, name="help-suggest"),
    path("help/suggest/opened/", views.opened, name="help-suggest-opened"),
]

"""URLs of the workspace area: account."""

from __future__ import annotations

from django.urls import path

from atiende.web.placeholders import placeholder

urlpatterns = [
    path("account/preferences/", placeholder, {"title": "Preferences"}, name="account-preferences"),
]

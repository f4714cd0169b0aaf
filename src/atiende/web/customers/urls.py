"""URLs of the workspace area: customers."""

from __future__ import annotations

from django.urls import path

from atiende.web.placeholders import placeholder

urlpatterns = [
    path("customers/", placeholder, {"title": "Customers"}, name="customers"),
    path("organizations/", placeholder, {"title": "Organizations"}, name="organizations"),
]

"""URLs of the workspace area: ticket."""

from __future__ import annotations

from django.urls import path

from atiende.web.placeholders import placeholder

urlpatterns = [
    path("tickets/new/", placeholder, {"title": "New ticket"}, name="ticket-new"),
    path("tickets/<int:ticket_id>/", placeholder, {"title": "Ticket"}, name="ticket"),
]

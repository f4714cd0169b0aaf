"""URLs of the workspace area: ticket (the ticket page, its partials, and the new-ticket page)."""

from __future__ import annotations

from django.urls import path

from atiende.web.ticket import views
from atiende.web.ticket.views.calls import call_log

urlpatterns = [
    path("tickets/new/", views.new_ticket, name="ticket-new"),
    path("tickets/new/requesters/", views.requester_suggestions, name="ticket-new-requesters"),
    path("tickets/<int:ticket_id>/", views.ticket_page, name="ticket"),
    path("tickets/<int:ticket_id>/header/", views.header, name="ticket-header"),
    path("tickets/<int:ticket_id>/edit/<str:name>/", views.edit_field, name="ticket-field"),
    path("tickets/<int:ticket_id>/assign-to-me/", views.assign_to_me, name="ticket-assign-me"),
    path("tickets/<int:ticket_id>/solve/", views.solve, name="ticket-solve"),
    path("tickets/<int:ticket_id>/timeline/", views.timeline, name="ticket-timeline"),
    path("tickets/<int:ticket_id>/reply/", views.reply, name="ticket-reply"),
    path("tickets/<int:ticket_id>/attachments/", views.upload, name="ticket-upload"),
    path("tickets/<int:ticket_id>/draft/", views.save_draft, name="ticket-draft"),
    path("tickets/<int:ticket_id>/relate/", views.relate, name="ticket-relate"),
    path(
        "tickets/<int:ticket_id>/relate/search/", views.relate_search, name="ticket-relate-search"
    ),
    path("tickets/<int:ticket_id>/canned/", views.canned_list, name="ticket-canned"),
    path(
        "tickets/<int:ticket_id>/canned/<int:response_id>/",
        views.canned_text,
        name="ticket-canned-text",
    ),
    path("tickets/<int:ticket_id>/mentions/", views.mention_suggestions, name="ticket-mentions"),
    path("tickets/<int:ticket_id>/time/", views.time_panel, name="ticket-time"),
    path("tickets/<int:ticket_id>/calls/", call_log, name="ticket-call-log"),
    path("tickets/<int:ticket_id>/assist/", views.assist_panel, name="ticket-assist"),
    path(
        "tickets/<int:ticket_id>/time/<str:action>/", views.time_action, name="ticket-time-action"
    ),
]

"""URLs of the workspace area: inbox."""

from __future__ import annotations

from django.urls import path

from atiende.web.inbox import bulk_views, people_views, view_editing, views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("rows/", views.rows, name="inbox-rows"),
    path("rows/<int:ticket_id>/", views.row, name="inbox-row"),
    path("counts/", views.counts, name="inbox-counts"),
    path("filters/", views.filters, name="inbox-filters"),
    path("new/", views.new_tickets, name="inbox-new"),
    path("bulk/", bulk_views.bulk, name="inbox-bulk"),
    path("people/", people_views.people_options, name="inbox-people"),
    path("views/new/", view_editing.view_create, name="inbox-view-create"),
    path("views/<int:view_id>/edit/", view_editing.view_edit, name="inbox-view-edit"),
    path("views/<int:view_id>/delete/", view_editing.view_delete, name="inbox-view-delete"),
]

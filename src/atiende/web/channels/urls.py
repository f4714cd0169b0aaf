"""URLs of the channel account settings and the channel quarantine (admins)."""

from __future__ import annotations

from django.urls import path

from atiende.web.channels import quarantine_views, views

urlpatterns = [
    path("settings/channels/", views.account_list, name="channels-accounts"),
    path("settings/channels/new/", views.account_new, name="channels-account-new"),
    path(
        "settings/channels/new/<str:provider>/",
        views.account_create,
        name="channels-account-create",
    ),
    path("settings/channels/<int:account_id>/", views.account_edit, name="channels-account"),
    path(
        "settings/channels/<int:account_id>/rotate-key/",
        views.account_rotate,
        name="channels-account-rotate",
    ),
    path(
        "settings/channels/<int:account_id>/active/",
        views.account_active,
        name="channels-account-active",
    ),
    path(
        "settings/channels/<int:account_id>/delete/",
        views.account_delete,
        name="channels-account-delete",
    ),
    path(
        "settings/channels/quarantine/",
        quarantine_views.quarantine_list,
        name="channels-quarantine",
    ),
    path(
        "settings/channels/quarantine/<int:payload_id>/",
        quarantine_views.payload_detail,
        name="channels-payload",
    ),
    path(
        "settings/channels/quarantine/<int:payload_id>/<str:action>/",
        quarantine_views.payload_action,
        name="channels-payload-action",
    ),
]

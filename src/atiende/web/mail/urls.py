"""URLs of the email settings (admins) and the ticket page's email pieces (agents)."""

from __future__ import annotations

from django.urls import path

from atiende.web.mail import message_views, quarantine_views, template_views, views

urlpatterns = [
    path("settings/mailboxes/", views.mailbox_list, name="mail-mailboxes"),
    path("settings/mailboxes/new/", views.mailbox_new, name="mail-mailbox-new"),
    path("settings/mailboxes/<int:mailbox_id>/", views.mailbox_edit, name="mail-mailbox"),
    path(
        "settings/mailboxes/<int:mailbox_id>/deactivate/",
        views.mailbox_deactivate,
        name="mail-mailbox-deactivate",
    ),
    path("settings/mailboxes/<int:mailbox_id>/test/", views.mailbox_test, name="mail-mailbox-test"),
    path("settings/mailboxes/<int:mailbox_id>/logo/", views.mailbox_logo, name="mail-mailbox-logo"),
    path("settings/email-templates/", template_views.template_list, name="mail-templates"),
    path(
        "settings/email-templates/<str:kind>/<str:language>/",
        template_views.template_edit,
        name="mail-template",
    ),
    path(
        "settings/email-templates/<str:kind>/<str:language>/preview/",
        template_views.template_preview,
        name="mail-template-preview",
    ),
    path(
        "settings/email-templates/<str:kind>/<str:language>/reset/",
        template_views.template_reset,
        name="mail-template-reset",
    ),
    path("settings/quarantine/", quarantine_views.quarantine_list, name="mail-quarantine"),
    path(
        "settings/quarantine/<int:inbound_id>/",
        quarantine_views.quarantine_detail,
        name="mail-quarantine-detail",
    ),
    path(
        "settings/quarantine/<int:inbound_id>/raw/",
        quarantine_views.quarantine_raw,
        name="mail-quarantine-raw",
    ),
    path(
        "settings/quarantine/<int:inbound_id>/<str:action>/",
        quarantine_views.quarantine_action,
        name="mail-quarantine-action",
    ),
    path(
        "tickets/<int:ticket_id>/messages/<int:message_id>/original/",
        message_views.original,
        name="mail-original",
    ),
    path(
        "tickets/<int:ticket_id>/messages/<int:message_id>/view/",
        message_views.message_view,
        name="mail-message-view",
    ),
    path(
        "tickets/<int:ticket_id>/messages/<int:message_id>/original.eml",
        message_views.original_raw,
        name="mail-original-raw",
    ),
    path(
        "tickets/<int:ticket_id>/messages/<int:message_id>/retry-delivery/",
        message_views.retry_delivery,
        name="mail-retry-delivery",
    ),
]

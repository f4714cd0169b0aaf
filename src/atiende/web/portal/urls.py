"""URLs of the customer portal (``/portal/``)."""

from __future__ import annotations

from django.urls import path

from atiende.web.portal import views

urlpatterns = [
    path("portal/", views.requests_list, name="portal"),
    path("portal/requests/<int:ticket_id>/", views.request_page, name="portal-request"),
    path("portal/requests/<int:ticket_id>/reply/", views.reply, name="portal-reply"),
    path("portal/requests/<int:ticket_id>/solve/", views.solve, name="portal-solve"),
    path("portal/requests/<int:ticket_id>/reopen/", views.reopen, name="portal-reopen"),
    path("portal/files/<int:attachment_id>/", views.attachment, name="portal-file"),
    path("portal/profile/", views.profile, name="portal-profile"),
    path("portal/brand/<int:mailbox_id>/logo/", views.logo, name="portal-logo"),
]

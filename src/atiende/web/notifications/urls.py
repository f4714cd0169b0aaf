"""URLs of the workspace area: notifications."""

from __future__ import annotations

from django.urls import path

from atiende.web.notifications import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/panel/", views.panel, name="notifications-panel"),
    path("notifications/read-all/", views.read_all, name="notifications-read-all"),
    path("notifications/<int:notification_id>/read/", views.read_one, name="notification-read"),
]

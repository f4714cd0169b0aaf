"""URLs of the chat widget settings (admins)."""

from __future__ import annotations

from django.urls import path

from atiende.web.chatwidgets import views

urlpatterns = [
    path("settings/chat-widgets/", views.widget_list, name="chat-widgets"),
    path("settings/chat-widgets/new/", views.widget_create, name="chat-widget-new"),
    path("settings/chat-widgets/<int:widget_id>/", views.widget_edit, name="chat-widget"),
    path(
        "settings/chat-widgets/<int:widget_id>/active/",
        views.widget_active,
        name="chat-widget-active",
    ),
    path(
        "settings/chat-widgets/<int:widget_id>/delete/",
        views.widget_delete,
        name="chat-widget-delete",
    ),
]

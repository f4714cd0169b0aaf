"""The visitor's socket route, mounted by ``atiende.asgi`` outside the allowed-hosts origin
check: the widget runs on other sites, and the consumer checks the page's origin against the
widget's own list."""

from __future__ import annotations

from django.urls import path

from atiende.messaging.chat.consumer import VisitorConsumer

CHAT_PREFIX = "/ws/chat/"
chat_urlpatterns = [path("ws/chat/<str:public_id>/", VisitorConsumer.as_asgi())]

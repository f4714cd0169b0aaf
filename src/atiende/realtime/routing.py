"""WebSocket routes, mounted by ``atiende.asgi``."""

from __future__ import annotations

from django.urls import path

from atiende.realtime.consumers import LiveConsumer

websocket_urlpatterns = [path("ws/", LiveConsumer.as_asgi())]

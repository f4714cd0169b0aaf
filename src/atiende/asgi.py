"""The ASGI entry point: WebSockets through Channels, HTTP through Django's WSGI handler.

``atiende run`` serves it with uvicorn for the live socket (``/ws/``) and serves HTTP with
granian's WSGI server (``atiende.serving``; ``docs/decisions/0004-…``). It still answers HTTP,
so one ASGI server can carry both where simplicity matters more than throughput.

WebSockets carry live events; across processes they travel through the database event log
(``docs/decisions/0002-realtime-across-processes.md``). Django under ASGI pays about 14 thread
hand-offs per request with the default middleware; wrapping the WSGI handler once in ``a2wsgi``
costs one (``docs/decisions/0001-http-through-wsgi-in-asgi.md``).
"""

from __future__ import annotations

import os
from typing import Any

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atiende.settings")
# Set Django up before importing anything that touches models (Channels' auth does).
django_wsgi = get_wsgi_application()

from a2wsgi import WSGIMiddleware  # noqa: E402
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from atiende.core.startup import settle  # noqa: E402
from atiende.messaging.chat.routing import CHAT_PREFIX, chat_urlpatterns  # noqa: E402
from atiende.realtime.routing import websocket_urlpatterns  # noqa: E402
from atiende.serving import web_threads, whole_bodies  # noqa: E402

staff_socket = AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
# The chat widget's socket is opened from other sites: its consumer checks the page's origin
# against the widget's own list instead of ALLOWED_HOSTS.
chat_socket = AuthMiddlewareStack(URLRouter(chat_urlpatterns))


async def websocket(scope: Any, receive: Any, send: Any) -> None:
    app = chat_socket if scope["path"].startswith(CHAT_PREFIX) else staff_socket
    await app(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": WSGIMiddleware(whole_bodies(django_wsgi), workers=web_threads()),  # type: ignore[arg-type]  # WSGIHandler fits a2wsgi's WSGIApp protocol
        "websocket": websocket,
    }
)
settle()

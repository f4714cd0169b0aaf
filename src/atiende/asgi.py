"""The ASGI entry point: HTTP through Django's WSGI handler, WebSockets through Channels.

WebSockets (``/ws/``) carry live events; across processes they travel through the database
event log (``docs/decisions/0002-realtime-across-processes.md``).

Django under ASGI pays about 14 thread hand-offs per request with the default middleware;
wrapping the WSGI handler once in ``a2wsgi`` costs one. See
``docs/decisions/0001-http-through-wsgi-in-asgi.md``.
"""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atiende.settings")
# Set Django up before importing anything that touches models (Channels' auth does).
django_wsgi = get_wsgi_application()

from a2wsgi import WSGIMiddleware  # noqa: E402
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from atiende.realtime.routing import websocket_urlpatterns  # noqa: E402

# Threads per web process that run Django views; each holds one database connection. Few
# threads in more processes (`atiende run --workers`) contend less for each process's GIL
# (docs/performance.md); more than one so a slow request does not hold up its process.
WSGI_THREADS = int(os.environ.get("ATIENDE_WEB_THREADS", "2"))

from atiende.core.startup import settle  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": WSGIMiddleware(django_wsgi, workers=WSGI_THREADS),  # type: ignore[arg-type]  # WSGIHandler fits a2wsgi's WSGIApp protocol
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
settle()

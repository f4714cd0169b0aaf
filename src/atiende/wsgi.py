"""The WSGI entry point: granian serves HTTP through it (atiende.serving; asgi.py wraps it too)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atiende.settings")
application = get_wsgi_application()

from atiende.core.startup import settle  # noqa: E402 (needs the app loaded)

settle()

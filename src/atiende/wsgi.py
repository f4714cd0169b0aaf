"""The WSGI entry point: granian serves HTTP through it (atiende.serving; asgi.py wraps it too)."""

import os

from django.core.wsgi import get_wsgi_application

from atiende.serving import whole_bodies

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atiende.settings")
application = whole_bodies(get_wsgi_application())

from atiende.core.startup import settle  # noqa: E402 (needs the app loaded)

settle()

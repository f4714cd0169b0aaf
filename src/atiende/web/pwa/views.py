"""The installable app: web manifest, service worker and the offline page.

The service worker caches only static assets and the offline page, never API answers or
workspace HTML (they hold private, changing data). Its cache name carries a hash of the static
files, so a deploy that changes them installs a fresh worker and drops the old cache.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
THEME_COLOR = "#0b57d0"
PRECACHE = [
    "web/atiende.css",
    "web/app.js",
    "web/vendor/htmx-2.0.8.min.js",
    "web/realtime.js",
    "web/shortcuts.js",
    "web/pwa.js",
    "web/pwa/icon.svg",
    "web/pwa/icon-192.png",
]


@lru_cache(maxsize=1)
def cache_version() -> str:
    """A short hash of every static file of the workspace and of the worker's own code."""
    digest = hashlib.sha256()
    template = Path(__file__).resolve().parent.parent / "templates" / "web" / "pwa" / "sw.js"
    for path in [template, *sorted(p for p in STATIC_DIR.rglob("*") if p.is_file())]:
        digest.update(str(path.relative_to(STATIC_DIR.parent)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest, in the visitor's language."""
    icons = [
        {"src": static("web/pwa/icon-192.png"), "sizes": "192x192", "type": "image/png",
         "purpose": "any"},
        {"src": static("web/pwa/icon-512.png"), "sizes": "512x512", "type": "image/png",
         "purpose": "any"},
        {"src": static("web/pwa/icon-maskable-192.png"), "sizes": "192x192",
         "type": "image/png", "purpose": "maskable"},
        {"src": static("web/pwa/icon-maskable-512.png"), "sizes": "512x512",
         "type": "image/png", "purpose": "maskable"},
        {"src": static("web/pwa/icon.svg"), "sizes": "any", "type": "image/svg+xml",
         "purpose": "any"},
    ]  # fmt: skip
    data = {
        "id": "/inbox/",
        "name": "Atiende",
        "short_name": "Atiende",
        "description": _("The help desk where your team answers every customer conversation."),
        "lang": get_language() or "en",
        "dir": "ltr",
        "start_url": reverse("inbox"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": "#ffffff",
        "icons": icons,
    }
    response = JsonResponse(data, content_type="application/manifest+json")
    response["Vary"] = "Accept-Language, Cookie"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The worker script, served from the root so that it may control the whole site."""
    context = {
        "version": cache_version(),
        "offline_url": json.dumps(reverse("offline")),
        "static_prefix": json.dumps(static("")),
        "precache": mark_safe(json.dumps([static(path) for path in PRECACHE])),  # noqa: S308  # our own URLs
    }
    response = render(request, "web/pwa/sw.js", context, content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the app shows when a page cannot be reached; cached by the worker."""
    response = render(request, "web/pwa/offline.html")
    response["Vary"] = "Accept-Language, Cookie"
    return response

"""The installable app: manifest, service worker and offline page."""

from __future__ import annotations

import json
import re
import struct

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from tests.factories import make_agent

pytestmark = pytest.mark.django_db


def test_manifest_describes_an_installable_app() -> None:
    response = Client().get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "Atiende"
    assert data["short_name"] == "Atiende"
    assert data["start_url"] == "/inbox/"
    assert data["scope"] == "/"
    assert data["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", data["theme_color"])
    icons = {(icon["sizes"], icon["purpose"]): icon for icon in data["icons"]}
    for size in ("192x192", "512x512"):
        assert icons[(size, "any")]["type"] == "image/png"
        assert icons[(size, "maskable")]["type"] == "image/png"


def test_manifest_icons_exist_with_the_stated_sizes() -> None:
    data = json.loads(Client().get("/manifest.webmanifest").content)
    for icon in data["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        if icon["type"] == "image/png":
            with open(path, "rb") as file:
                head = file.read(24)
            assert head[:8] == b"\x89PNG\r\n\x1a\n"
            width, height = struct.unpack(">II", head[16:24])
            assert f"{width}x{height}" == icon["sizes"]


def test_manifest_follows_the_language() -> None:
    english = json.loads(Client(HTTP_ACCEPT_LANGUAGE="en").get("/manifest.webmanifest").content)
    spanish = json.loads(Client(HTTP_ACCEPT_LANGUAGE="es").get("/manifest.webmanifest").content)
    assert (english["lang"], spanish["lang"]) == ("en", "es")


def test_service_worker_is_served_from_the_root_scope() -> None:
    response = Client().get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    version = re.search(r'const CACHE = "atiende-([0-9a-f]{12})";', body)
    assert version is not None
    assert 'const OFFLINE_URL = "/offline/";' in body
    assert '"/static/web/atiende.css"' in body
    assert "&quot;" not in body  # JSON, not HTML-escaped
    assert "/api/" not in body  # the API is never cached


def test_service_worker_version_is_stable_between_requests() -> None:
    first = Client().get("/sw.js").content
    second = Client().get("/sw.js").content
    assert first == second


@pytest.mark.parametrize(
    ("language", "title"), [("en", "You're offline"), ("es", None)], ids=["en", "es"]
)
def test_offline_page_in_both_languages(language: str, title: str | None) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get(reverse("offline"))

    assert response.status_code == 200
    body = response.content.decode()
    assert f'<html lang="{language}">' in body
    assert "<body data-offline>" in body
    assert 'role="status"' in body
    assert "/static/web/pwa.js" in body
    assert "csrfmiddlewaretoken" not in body
    if title:
        assert title in body


def test_offline_page_follows_a_signed_in_agents_language() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_agent(locale="es"))
    assert '<html lang="es">' in client.get(reverse("offline")).content.decode()


def test_pwa_urls_refuse_writes() -> None:
    for url in ("/manifest.webmanifest", "/sw.js", "/offline/"):
        assert Client().post(url).status_code == 405

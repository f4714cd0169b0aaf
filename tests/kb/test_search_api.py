"""GET /api/v1/kb/search through the reading gate."""

from __future__ import annotations

import pytest
from django.test import Client

from atiende.kb.models import SearchLog
from tests.factories import make_admin, make_customer, web
from tests.kb.search_helpers import _fresh_vocabulary, section_for, write  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_api_searches_through_the_gate(client: Client) -> None:
    agent = web(make_admin())  # admins publish (docs/knowledge-base.md)
    section = section_for(agent)
    public = write(agent, section, title="Facturación <b>mensual</b>")
    write(agent, section, title="Facturación interna", visibility="internal")

    client.force_login(make_customer())
    body = client.get("/api/v1/kb/search", {"q": "facturacion", "lang": "es"}).json()
    assert body["total"] == 1 and body["language"] == "es"
    [result] = body["results"]
    assert result["translation_id"] == public.pk and result["title"] == public.title
    assert result["title_html"] == "<mark>Facturación</mark> &lt;b&gt;mensual&lt;/b&gt;"
    assert SearchLog.objects.get().source == "api"

    client.force_login(agent.user)
    assert client.get("/api/v1/kb/search", {"q": "facturacion"}).json()["total"] == 2
    assert client.get("/api/v1/kb/search", {"q": "x" * 201}).status_code == 422
    assert client.get("/api/v1/kb/search", {"q": "a\x00b"}).status_code == 200
    client.logout()
    assert client.get("/api/v1/kb/search", {"q": "facturacion"}).status_code == 401

"""The help center's search page, the form's suggestion endpoint and the deflection beacon."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client

from atiende.kb import suggest as kb_suggest
from atiende.kb.models import Deflection, SearchLog
from atiende.web.kbsearch import limits
from tests.factories import make_admin, make_agent, make_customer, web
from tests.kb.search_helpers import _fresh_vocabulary, section_for, write  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_encoder() -> Iterator[None]:
    before = list(kb_suggest._semantic)
    kb_suggest.use_semantic(None)
    yield
    kb_suggest._semantic[:] = before


@pytest.fixture
def kb() -> dict[str, int]:
    agent = web(make_admin())  # admins publish (docs/knowledge-base.md)
    section = section_for(agent)
    return {
        "password": write(
            agent, section, title="Cambiar la <contraseña>", body="Abra su **perfil**."
        ).pk,
        "reset": write(
            agent, section, title="Reset your password", body="From your profile.", language="en"
        ).pk,
        "internal": write(
            agent, section, title="Contraseña maestra", body="x", visibility="internal"
        ).pk,
        "article": write(agent, section, title="Facturación").article_id,
    }


def test_the_search_page_finds_with_typos_highlights_and_escapes(
    client: Client, kb: dict[str, int]
) -> None:
    response = client.get("/help/search/", {"q": "contrasñea", "lang": "es"})
    assert response.status_code == 200 and response["Content-Language"] == "es"
    page = response.content.decode()
    assert "Cambiar la &lt;<mark>contraseña</mark>&gt;" in page
    assert '<html lang="es">' in page
    assert "maestra" not in page  # internal: not for visitors
    assert 'href="/help/es/articles/' in page
    assert SearchLog.objects.get().source == "help"


def test_the_search_page_in_english_and_without_results(client: Client, kb: dict[str, int]) -> None:
    page = client.get("/help/search/", {"q": "pasword", "lang": "en"}).content.decode()
    assert "Reset your <mark>password</mark>" in page and "1 article found" in page
    empty = client.get("/help/search/", {"q": "teletransporte", "lang": "en"}).content.decode()
    assert "No article matches" in empty and 'href="/portal/new/"' in empty
    assert list(SearchLog.objects.order_by("pk").values_list("results", flat=True)) == [1, 0]
    # No query: the form alone, nothing logged.
    assert client.get("/help/search/", {"lang": "en"}).status_code == 200
    assert SearchLog.objects.count() == 2


def test_agents_find_internal_articles(client: Client, kb: dict[str, int]) -> None:
    client.force_login(make_agent())
    page = client.get("/help/search/", {"q": "contraseña", "lang": "es"}).content.decode()
    assert "maestra" in page


def test_suggestions_as_a_fragment_and_as_json(client: Client, kb: dict[str, int]) -> None:
    client.force_login(make_customer())
    fragment = client.get("/help/suggest/", {"q": "olvide mi contrasena", "lang": "es"})
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<mark>contraseña</mark>" in html
    assert "maestra" not in html and 'name="csrfmiddlewaretoken"' in html
    answer = client.get(
        "/help/suggest/", {"q": "password", "lang": "es"}, headers={"Accept": "application/json"}
    ).json()
    [result] = answer["results"]
    assert result["translation_id"] == kb["reset"] and result["other_language"] is True
    assert result["title"] == "Reset your password"
    assert list(SearchLog.objects.values_list("source", flat=True)) == ["form", "form"]
    client.get("/help/suggest/", {"q": "contrasena", "lang": "es", "from": "help"})
    assert SearchLog.objects.order_by("-pk").first().source == "help"  # type: ignore[union-attr]
    empty = client.get("/help/suggest/", {"q": "  ", "lang": "es"})
    assert empty.status_code == 200 and empty.content.strip() == b""


def test_suggestions_are_rate_limited(
    client: Client, kb: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "LIMIT", 2)
    with time_machine.travel("2026-12-07 10:00:10Z", tick=False):
        codes = [client.get("/help/suggest/", {"q": "factura"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    with time_machine.travel("2026-12-07 10:01:10Z", tick=False):  # the next window
        assert client.get("/help/suggest/", {"q": "factura"}).status_code == 200


def test_opening_a_suggestion_records_a_hashed_reader_and_needs_csrf(kb: dict[str, int]) -> None:
    strict = Client(enforce_csrf_checks=True)
    refused = strict.post("/help/suggest/opened/", {"translation": kb["password"]})
    assert refused.status_code == 403 and not Deflection.objects.exists()

    client = Client()
    response = client.post("/help/suggest/opened/", {"translation": kb["password"]})
    assert response.status_code == 302 and "/articles/" in response["Location"]
    session_key = client.session.session_key
    assert session_key
    deflection = Deflection.objects.get()
    assert deflection.reader == kb_suggest.reader_of(session_key) != session_key
    assert not deflection.submitted
    beacon = client.post(
        "/help/suggest/opened/", {"translation": kb["password"]}, headers={"HX-Request": "true"}
    )
    assert beacon.status_code == 204
    assert client.post("/help/suggest/opened/", {"translation": kb["internal"]}).status_code == 404
    assert client.post("/help/suggest/opened/", {"translation": "x"}).status_code == 400
    assert client.get("/help/suggest/opened/").status_code == 405
    assert kb_suggest.mark_submitted(kb_suggest.reader_of(session_key)) == 2

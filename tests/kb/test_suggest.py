"""Suggestions while a customer writes: full text fused with meaning, the fallback without the
encoder, the gate on both rankings, deflections under a hashed reader."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
import time_machine

from atiende.core.errors import NotFound
from atiende.kb import suggest as kb_suggest
from atiende.kb.models import Deflection, SearchLog
from tests.factories import make_admin, make_customer, web
from tests.kb.search_helpers import _fresh_vocabulary, section_for, write  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_encoder() -> Iterator[None]:
    """Each test plugs in the meaning ranking it needs (or none: the encoder unavailable)."""
    before = list(kb_suggest._semantic)
    kb_suggest.use_semantic(None)
    yield
    kb_suggest._semantic[:] = before


def test_without_the_encoder_suggestions_are_the_full_text_results() -> None:
    agent = web(make_admin())  # admins publish (docs/knowledge-base.md)
    section = section_for(agent)
    password = write(agent, section, title="Cambiar la contraseña", body="Desde su perfil.")
    write(agent, section, title="Facturas", body="Descargar facturas.")
    customer = web(make_customer())
    found = kb_suggest.suggest(customer, "no puedo cambiar mi contrasena", language="es")
    assert [s.translation_id for s in found] == [password.pk]
    assert found[0].found_by == ("text",) and not found[0].other_language
    # Typing: the last word is completed.
    assert [s.translation_id for s in kb_suggest.suggest(customer, "contras", language="es")] == [
        password.pk
    ]

    def unavailable(text: str, language: str, limit: int) -> Sequence[int] | None:
        return None

    def broken(text: str, language: str, limit: int) -> Sequence[int] | None:
        raise RuntimeError("encoder weights missing")

    for nearest in (unavailable, broken):
        kb_suggest.use_semantic(nearest)
        found = kb_suggest.suggest(customer, "cambiar contrasena", language="es")
        assert [s.translation_id for s in found] == [password.pk]


def test_meaning_adds_an_english_only_article_and_says_it_is_english() -> None:
    agent = web(make_admin())  # admins publish (docs/knowledge-base.md)
    section = section_for(agent)
    billing = write(agent, section, title="Facturas", body="Cómo descargar sus facturas.")
    refund = write(
        agent, section, title="Refund a payment", body="Ask for your money back.", language="en"
    )
    internal = write(
        agent, section, title="Refund policy for agents", language="en", visibility="internal"
    )
    asked: list[tuple[str, str]] = []

    def nearest(text: str, language: str, limit: int) -> Sequence[int]:
        asked.append((text, language))
        return [internal.pk, refund.pk, billing.pk]

    kb_suggest.use_semantic(nearest)
    customer = web(make_customer())
    found = kb_suggest.suggest(
        customer, "quiero que me devuelvan el dinero de la factura", language="es"
    )
    assert asked == [("quiero que me devuelvan el dinero de la factura", "es")]
    by_id = {s.translation_id: s for s in found}
    # The internal article the encoder offered is never shown to a customer.
    assert set(by_id) == {billing.pk, refund.pk}
    assert found[0].translation_id == billing.pk  # found by both rankings
    assert by_id[billing.pk].found_by == ("text", "meaning")
    assert by_id[refund.pk].other_language and by_id[refund.pk].language == "en"
    assert by_id[refund.pk].found_by == ("meaning",)
    # Agents may be offered the internal one.
    staff = {s.translation_id for s in kb_suggest.suggest(agent, "reembolso", language="es")}
    assert internal.pk in staff


def test_suggestions_log_only_when_a_source_is_given() -> None:
    agent = web(make_admin())  # admins publish (docs/knowledge-base.md)
    write(agent, section_for(agent), title="Cambiar la contraseña")
    kb_suggest.suggest(None, "contraseña", language="es")
    kb_suggest.suggest(None, "contraseña", language="es", source="form")
    kb_suggest.suggest(None, "impresora", language="es", source="form")
    assert list(SearchLog.objects.order_by("pk").values_list("query", "results", "source")) == [
        ("contraseña", 1, "form"),
        ("impresora", 0, "form"),
    ]


def test_a_deflection_is_recorded_under_a_hash_and_cancelled_by_a_request() -> None:
    agent = web(make_admin())  # admins publish (docs/knowledge-base.md)
    section = section_for(agent)
    public = write(agent, section, title="Cambiar la contraseña")
    internal = write(agent, section, title="Notas internas", visibility="internal")
    draft = write(agent, section, title="Borrador", publish=False)
    reader = kb_suggest.reader_of("session-key-1")
    assert len(reader) == 64 and "session-key-1" not in reader
    assert reader == kb_suggest.reader_of("session-key-1") != kb_suggest.reader_of("other")

    with time_machine.travel("2026-12-07 10:00Z", tick=False):
        kb_suggest.record_opened(None, reader=reader, translation_id=public.pk)
    for hidden in (internal.pk, draft.pk, 10**9):
        with pytest.raises(NotFound):
            kb_suggest.record_opened(None, reader=reader, translation_id=hidden)
    with time_machine.travel("2026-12-07 12:00Z", tick=False):
        kb_suggest.record_opened(None, reader=reader, translation_id=public.pk)
        other = kb_suggest.reader_of("someone else")
        kb_suggest.record_opened(None, reader=other, translation_id=public.pk)
    with time_machine.travel("2026-12-08 11:00Z", tick=False):
        # Sent 25 h after the first opening, 23 h after the second: only the second counts.
        assert kb_suggest.mark_submitted(reader) == 1
    assert kb_suggest.mark_submitted("") == 0
    rows = Deflection.objects.order_by("pk").values_list("reader", "submitted")
    assert list(rows) == [(reader, False), (reader, True), (other, False)]


@pytest.fixture
def real_encoder() -> Iterator[None]:
    from atiende.semantic import matrix

    matrix.forget()
    kb_suggest.use_semantic(kb_suggest.encoder_nearest)
    yield
    matrix.forget()


def test_the_encoder_finds_an_english_only_article_for_a_spanish_question(
    real_encoder: None,
) -> None:
    agent = web(make_admin())  # admins publish (docs/knowledge-base.md)
    section = section_for(agent)
    write(agent, section, title="Horario de atención", body="De lunes a viernes de 9 a 19.")
    refund = write(
        agent,
        section,
        title="Request a refund",
        body="You can ask for your money back within 14 days of a payment.",
        language="en",
    )
    found = kb_suggest.suggest(
        web(make_customer()), "quiero que me devuelvan el dinero", language="es"
    )
    assert found and found[0].translation_id == refund.pk
    assert found[0].other_language and found[0].found_by == ("meaning",)


def test_full_text_alone_when_the_encoder_cannot_load(real_encoder: None) -> None:
    from atiende.semantic import encoder

    agent = web(make_admin())  # admins publish (docs/knowledge-base.md)
    section = section_for(agent)
    password = write(agent, section, title="Cambiar la contraseña")
    write(agent, section, title="Refund a payment", language="en")
    previous = encoder.reset_for_tests(None, failed=True)
    try:
        assert kb_suggest.semantic_translations("contraseña", "es", 5) is None
        found = kb_suggest.suggest(None, "quiero cambiar la contrasena", language="es")
    finally:
        encoder.reset_for_tests(previous[0], failed=previous[1])
    assert [(s.translation_id, s.found_by) for s in found] == [(password.pk, ("text",))]

"""Knowledge-base full-text search: analyzer, typos, ranking, highlights, the gate, the index
kept with publications, logging, the rebuild command."""

from __future__ import annotations

import pytest
from django.db import transaction

from atiende.cli import main
from atiende.core.actor import Actor
from atiende.kb.models import ArticleTranslation, SearchDocument, SearchLog, SearchPosting
from atiende.kb.search import analyzer, index, query, search
from atiende.kb.services import articles
from tests.factories import make_admin, make_agent, make_customer, web
from tests.kb.search_helpers import _fresh_vocabulary, section_for, write  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("es", "Facturación", ["factur"]),
        ("es", "facturacion FACTURAS factura", ["factur", "factur", "factur"]),
        ("es", "¿Cómo cambio mi contraseña?", ["cambi", "contrasen"]),
        ("es", "contrasena", ["contrasen"]),
        ("es", "Impresoras del envío", ["impresor", "envi"]),
        ("en", "How do I reset my passwords?", ["reset", "password"]),
        ("en", "Invoices and billing", ["invoic", "bill"]),
        ("en", "Café RÉSUMÉ", ["cafe", "resum"]),
    ],
)
def test_the_analyzer_folds_drops_common_words_and_stems(
    language: str, text: str, expected: list[str]
) -> None:
    assert analyzer.terms(text, language) == expected


def _customer() -> Actor:
    return web(make_customer())


def test_accent_case_and_typo_tolerance_in_both_languages() -> None:
    agent = web(make_admin())  # admins publish (docs/knowledge-base.md)
    section = section_for(agent)
    password = write(agent, section, title="Cambiar la contraseña", body="Abra su perfil.")
    billing = write(agent, section, title="Facturación mensual", body="Las facturas llegan.")
    reset = write(
        agent, section, title="Reset your password", body="Open your profile.", language="en"
    )
    for typed in ("contrasena", "contraseña", "CONTRASEÑA", "contrasñea", "contraseñas"):
        page = query.run(_customer(), typed, language="es")
        assert [r.translation_id for r in page.results] == [password.pk], typed
    assert [r.translation_id for r in query.run(None, "facturacion", language="es").results] == [
        billing.pk
    ]
    assert [r.translation_id for r in query.run(None, "pasword", language="en").results] == [
        reset.pk
    ]
    # A word far from every indexed word finds nothing; short words are never "corrected".
    assert query.run(None, "xylofono", language="es").total == 0
    assert query.run(None, "pas", language="en").total == 0
    # The word being typed is completed only where the caller asks for it (suggestions).
    assert query.run(None, "factu", language="es", complete=True).total == 1


def test_title_words_rank_above_body_words_and_ties_go_to_the_older() -> None:
    agent = web(make_admin())  # admins publish (docs/knowledge-base.md)
    section = section_for(agent)
    in_body = write(agent, section, title="Pagos", body="Cómo descargar una factura en PDF.")
    in_title = write(agent, section, title="Descargar una factura", body="Desde su cuenta.")
    twin = write(
        agent, section, title="Pagos recurrentes", body="Cómo descargar una factura en PDF."
    )
    page = query.run(None, "descargar factura", language="es")
    assert [r.translation_id for r in page.results] == [in_title.pk, in_body.pk, twin.pk]
    assert page.total == 3
    assert page.results[0].score > page.results[1].score


def test_highlights_mark_matches_and_escape_everything_else() -> None:
    agent = web(make_admin())  # admins publish (docs/knowledge-base.md)
    section = section_for(agent)
    write(
        agent,
        section,
        title="<script>alert(1)</script> Contraseña",
        body="Pulse <b>aquí</b> para cambiar la contraseña & seguir.",
    )
    [result] = query.run(None, "contrasena", language="es").results
    assert result.title == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Contraseña</mark>"
    assert "<b>" not in result.snippet and "&lt;b&gt;aquí&lt;/b&gt;" in result.snippet
    assert "<mark>contraseña</mark> &amp; seguir" in result.snippet
    long = write(agent, section, title="Largo", body="palabra " * 80 + "reembolso final")
    found = query.run(None, "reembolso", language="es").results
    assert found[0].translation_id == long.pk
    assert found[0].snippet.startswith("… ") and "<mark>reembolso</mark>" in found[0].snippet


@pytest.mark.parametrize("reader", ["visitor", "customer", "agent"])
def test_the_gate_hides_internal_drafts_and_archived_articles_even_from_counts(
    reader: str,
) -> None:
    agent = web(make_admin())  # admins publish (docs/knowledge-base.md)
    section = section_for(agent)
    public = write(agent, section, title="Router reiniciar", body="Apague el router.")
    internal = write(
        agent, section, title="Router interno", body="Clave del router.", visibility="internal"
    )
    write(agent, section, title="Router borrador", body="router", publish=False)
    archived = write(agent, section, title="Router antiguo", body="router")
    articles.archive(agent, translation_id=archived.pk)
    actor = {"visitor": None, "customer": _customer(), "agent": web(make_agent())}[reader]

    page = query.run(actor, "router", language="es")

    seen = {r.translation_id for r in page.results}
    expected = {public.pk, internal.pk} if reader == "agent" else {public.pk}
    assert seen == expected and page.total == len(expected)
    hidden = query.run(actor, "clave", language="es")
    assert hidden.total == (1 if reader == "agent" else 0)


def test_a_draft_edit_never_shows_only_the_published_text() -> None:
    agent = web(make_admin())  # admins publish (docs/knowledge-base.md)
    section = section_for(agent)
    text = write(agent, section, title="Horario de soporte", body="De lunes a viernes.")
    articles.update_translation(  # a working-copy edit, not published
        agent, translation_id=text.pk, revision=text.revision, body="Secreto sábado"
    )
    write(agent, section, title="Otro")  # another publication meanwhile
    assert query.run(None, "secreto", language="es").total == 0
    assert query.run(None, "lunes", language="es").total == 1


def test_the_index_follows_publish_and_archive_in_the_same_transaction() -> None:
    agent = web(make_admin())  # admins publish (docs/knowledge-base.md)
    section = section_for(agent)
    draft = write(agent, section, title="Envíos internacionales", publish=False)
    seen_inside: list[int] = []

    def publish_then_fail() -> None:
        with transaction.atomic():
            articles.publish(agent, translation_id=draft.pk)
            seen_inside.append(query.run(agent, "envios", language="es").total)
            raise RuntimeError("the publication fails later")

    with pytest.raises(RuntimeError):
        publish_then_fail()
    assert seen_inside == [1]
    assert not SearchPosting.objects.filter(translation_id=draft.pk).exists()
    assert query.run(None, "envios", language="es").total == 0

    articles.publish(agent, translation_id=draft.pk)
    assert query.run(None, "envios", language="es").total == 1
    draft.refresh_from_db()
    draft.title = "Devoluciones"
    draft.save()
    articles.publish(agent, translation_id=draft.pk)  # a new version replaces the old text
    assert query.run(None, "envios", language="es").total == 0
    assert query.run(None, "devoluciones", language="es").total == 1
    assert SearchDocument.objects.get(translation_id=draft.pk).version == 2

    def archive_then_fail() -> None:
        with transaction.atomic():
            articles.archive(agent, translation_id=draft.pk)
            seen_inside.append(query.run(None, "devoluciones", language="es").total)
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        archive_then_fail()
    assert seen_inside == [1, 0]
    assert query.run(None, "devoluciones", language="es").total == 1
    articles.archive(agent, translation_id=draft.pk)
    assert not SearchPosting.objects.filter(translation_id=draft.pk).exists()


def test_a_spanish_query_may_find_an_english_only_article_and_says_so() -> None:
    agent = web(make_admin())  # admins publish (docs/knowledge-base.md)
    section = section_for(agent)
    write(agent, section, title="Configurar Outlook", body="Cuenta de correo en Outlook.")
    english_only = write(
        agent, section, title="Outlook sync errors", body="Outlook stops syncing.", language="en"
    )
    page = query.run(None, "outlook sincroniza", language="es")
    assert page.results[0].language == "es" and not page.results[0].other_language
    other = [r for r in page.results if r.translation_id == english_only.pk]
    assert other and other[0].other_language


def test_one_result_per_article_in_the_asked_language_first() -> None:
    agent = web(make_admin())  # admins publish (docs/knowledge-base.md)
    section = section_for(agent)
    spanish = write(agent, section, title="Cuenta bloqueada por la VPN", body="VPN")
    # The same article in English (the translation workflow is the editor's; only the
    # working copy is made here, and it is published through the service).
    english = ArticleTranslation.objects.create(
        article_id=spanish.article_id, language="en", title="VPN locked account", slug="vpn"
    )
    articles.publish(agent, translation_id=english.pk)
    page = query.run(None, "vpn", language="es")
    assert [r.translation_id for r in page.results] == [spanish.pk] and page.total == 1
    page = query.run(None, "vpn", language="en")
    assert [r.translation_id for r in page.results] == [english.pk] and page.total == 1


def test_every_search_is_logged_with_its_count_and_source() -> None:
    agent = web(make_admin())  # admins publish (docs/knowledge-base.md)
    section = section_for(agent)
    write(agent, section, title="Cambiar la contraseña")
    customer = _customer()
    search(customer, "  contraseña  ", language="es", source="help")
    search(None, "impresora rota", language="es", source="form")
    search(None, "contraseña", language="es", source="help", offset=10)  # page 2: same search
    search(None, "   ", language="es", source="help")  # nothing typed: nothing logged
    logs = list(SearchLog.objects.order_by("pk").values_list("query", "results", "source", "user"))
    assert logs == [
        ("contraseña", 1, "help", customer.user_id),
        ("impresora rota", 0, "form", None),
    ]


def test_hostile_queries_are_plain_text() -> None:
    agent = web(make_admin())  # admins publish (docs/knowledge-base.md)
    write(agent, section_for(agent), title="Cambiar la contraseña")
    for typed in ('"', "' OR 1=1 --", "contraseña*", "NEAR(a b)", "\x00", "a" * 5000, "%_"):
        page = query.run(None, typed, language="es")
        assert page.total in (0, 1)
    assert query.run(None, "contraseña' OR 1=1 --", language="es").total == 1


def test_rebuild_command_reindexes_every_published_translation(
    capsys: pytest.CaptureFixture[str],
) -> None:
    agent = web(make_admin())  # admins publish (docs/knowledge-base.md)
    section = section_for(agent)
    write(agent, section, title="Facturación mensual")
    write(agent, section, title="Borrador", publish=False)
    SearchPosting.objects.all().delete()
    SearchDocument.objects.all().delete()
    assert query.run(None, "facturacion", language="es").total == 0
    assert main(["kb", "reindex"]) == 0
    assert "1" in capsys.readouterr().out
    assert query.run(None, "facturacion", language="es").total == 1
    assert index.rebuild() == 1


def test_broad_queries_score_each_terms_best_texts_and_say_there_are_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    agent = web(make_admin())  # admins publish (docs/knowledge-base.md)
    section = section_for(agent)
    texts = [
        write(agent, section, title=f"Tema {n}", body="router " * n + "cable " * (5 - n))
        for n in range(1, 5)
    ]
    monkeypatch.setattr(query, "CANDIDATES_PER_TERM", 2)
    page = query.run(None, "router", language="es", limit=2)
    assert [r.translation_id for r in page.results] == [texts[3].pk, texts[2].pk]
    assert (page.total, page.more) == (2, True)
    monkeypatch.setattr(query, "CANDIDATES_PER_TERM", 5)
    page = query.run(None, "router", language="es", limit=2)
    assert (page.total, page.more) == (4, False)
    page = query.run(None, "router cable", language="es", limit=10)
    assert len(page.results) == 4  # each term brings its own best two

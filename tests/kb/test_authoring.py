"""Authoring the knowledge base: workflow and who may do what, conflicts, translations,
versions (diff, restore), schedule, verify-by reminders, attachments, ticket to article."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from atiende.core.actor import Actor
from atiende.core.errors import Conflict, Forbidden, Invalid, NotFound, PayloadTooLarge
from atiende.core.event_types import ArticlePublished, ArticleVerificationDue
from atiende.core.events import capture_events
from atiende.kb import editor_selectors, tasks
from atiende.kb.models import Article, ArticleState, ArticleTranslation, ArticleVersion
from atiende.kb.selectors import readable_translations
from atiende.kb.services import articles, attachments, from_ticket, structure, versions, workflow
from atiende.outbox.delivery import deliver_due
from atiende.tickets import services as tickets
from atiende.tickets.errors import TicketNotFound
from tests.factories import make_admin, make_agent, make_customer, make_group, make_ticket, web

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def section_id() -> int:
    system = Actor.system("tests")
    category = structure.create_category(system, names={"es": "Cuenta", "en": "Account"})
    return structure.create_section(system, category_id=category.pk, names={"es": "Acceso"}).pk


def _draft(actor: Actor, section_id: int, title: str = "Cambiar la clave", body: str = "v1") -> Any:
    return articles.create_article(
        actor, section_id=section_id, language="es", title=title, body=body
    )


def _edit(actor: Actor, pk: int, **fields: Any) -> ArticleTranslation:
    current = ArticleTranslation.objects.get(pk=pk).revision
    return articles.update_translation(actor, translation_id=pk, revision=current, **fields)


def _readable_body(pk: int) -> str | None:
    row = readable_translations(None).filter(pk=pk).values_list("published_body", flat=True)
    return row.first()


def test_the_workflow_agents_submit_admins_publish_and_readers_see_only_what_is_published(
    section_id: int,
) -> None:
    agent, admin = web(make_agent()), web(make_admin())
    draft = _draft(agent, section_id)
    submitted = workflow.submit_for_review(agent, translation_id=draft.pk)
    assert submitted.state == ArticleState.REVIEW
    assert list(editor_selectors.review_queue(admin)) == [submitted]
    with pytest.raises(Forbidden):
        articles.publish(agent, translation_id=draft.pk)
    with pytest.raises(Invalid):
        workflow.submit_for_review(agent, translation_id=draft.pk)  # already waiting

    back = workflow.request_changes(admin, translation_id=draft.pk, note="Añade capturas")
    assert (back.state, back.review_note, back.submitted_at) == ("draft", "Añade capturas", None)
    workflow.submit_for_review(agent, translation_id=draft.pk)
    articles.publish(admin, translation_id=draft.pk)
    assert _readable_body(draft.pk) == "v1"

    # Editing a published text changes nothing readers see until it is published again.
    _edit(agent, draft.pk, body="v2 en preparación")
    assert _readable_body(draft.pk) == "v1"
    again = workflow.submit_for_review(agent, translation_id=draft.pk)
    assert again.state == ArticleState.PUBLISHED and again.submitted_at is not None
    assert _readable_body(draft.pk) == "v1"
    articles.publish(admin, translation_id=draft.pk)
    assert _readable_body(draft.pk) == "v2 en preparación"
    with pytest.raises(Invalid) as nothing_new:
        articles.publish(admin, translation_id=draft.pk)
    assert nothing_new.value.errors[0].field == "body"

    with pytest.raises(Forbidden):
        articles.archive(agent, translation_id=draft.pk)
    articles.archive(admin, translation_id=draft.pk)
    assert _readable_body(draft.pk) is None
    with pytest.raises(Invalid):
        _edit(agent, draft.pk, body="x")
    assert workflow.unarchive(admin, translation_id=draft.pk).state == ArticleState.DRAFT
    assert ArticleVersion.objects.filter(translation=draft).count() == 2


def test_customers_cannot_author_or_read_drafts_and_versions(section_id: int) -> None:
    customer = web(make_customer())
    draft = _draft(web(make_agent()), section_id)
    for call in (
        lambda: _draft(customer, section_id),
        lambda: _edit(customer, draft.pk, body="x"),
        lambda: workflow.submit_for_review(customer, translation_id=draft.pk),
        lambda: versions.diff_versions(customer, translation_id=draft.pk, old=1, new=2),
        lambda: attachments.upload_attachment(
            customer, article_id=draft.article_id, filename="a.txt", stream=io.BytesIO(b"x")
        ),
    ):
        with pytest.raises(Forbidden):
            call()
    for read in (
        lambda: editor_selectors.get_translation(customer, draft.pk),
        lambda: editor_selectors.get_translation(None, draft.pk),
        lambda: list(editor_selectors.versions(customer, draft.pk)),
        lambda: list(editor_selectors.editable_translations(None)),
    ):
        with pytest.raises(NotFound):
            read()


def test_two_editors_at_once_the_second_gets_a_conflict_naming_the_field(section_id: int) -> None:
    first, second = web(make_agent()), web(make_agent())
    draft = _draft(first, section_id)
    opened = draft.revision
    articles.update_translation(first, translation_id=draft.pk, revision=opened, body="de Ana")
    with pytest.raises(Conflict) as caught:
        articles.update_translation(second, translation_id=draft.pk, revision=opened, body="Luis")
    assert caught.value.status == 409 and caught.value.errors[0].field == "revision"
    assert caught.value.extra["kb_revision"] == opened + 1
    assert ArticleTranslation.objects.get(pk=draft.pk).body == "de Ana"

    article = Article.objects.get(pk=draft.article_id)
    articles.update_article(first, article_id=article.pk, revision=article.revision)
    with pytest.raises(Conflict):
        articles.update_article(second, article_id=article.pk, revision=article.revision)


def test_translations_slugs_related_owner_and_bad_input(section_id: int) -> None:
    agent = web(make_agent())
    spanish = _draft(agent, section_id, title="¿Cómo cambio mi contraseña?")
    english = articles.add_translation(
        agent, article_id=spanish.article_id, language="en", title="How do I change my password?"
    )
    assert (spanish.slug, english.slug) == (
        "como-cambio-mi-contrasena",
        "how-do-i-change-my-password",
    )
    with pytest.raises(Invalid) as twice:
        articles.add_translation(agent, article_id=spanish.article_id, language="es", title="Otra")
    assert twice.value.errors[0].field == "language"
    other = _draft(agent, section_id, title="Otra cosa")
    with pytest.raises(Invalid) as taken:
        _edit(agent, other.pk, slug="como-cambio-mi-contrasena")
    assert taken.value.errors[0].field == "slug"
    with pytest.raises(Invalid) as shape:
        _edit(agent, other.pk, slug="Con Espacios/../x")
    assert shape.value.errors[0].field == "slug"
    assert _edit(agent, other.pk, slug="otra-direccion").slug == "otra-direccion"

    article = Article.objects.get(pk=spanish.article_id)
    owner = make_agent()
    articles.update_article(
        agent,
        article_id=article.pk,
        revision=article.revision,
        visibility="internal",
        owner_id=owner.pk,
        verify_by=datetime.date(2027, 1, 31),
        related_ids=[other.article_id],
    )
    article.refresh_from_db()
    assert (article.visibility, article.owner, article.verify_by) == (
        "internal",
        owner,
        datetime.date(2027, 1, 31),
    )
    # Related is symmetric: the other article lists this one.
    assert list(Article.objects.get(pk=other.article_id).related.all()) == [article]
    with pytest.raises(Invalid) as bad:
        articles.update_article(
            agent,
            article_id=article.pk,
            revision=article.revision,
            owner_id=make_customer().pk,
            related_ids=[10**9],
            visibility="secret",
        )
    assert {e.field for e in bad.value.errors} == {"owner", "related", "visibility"}


def test_versions_are_kept_compared_and_restored_without_losing_any(section_id: int) -> None:
    agent, admin = web(make_agent()), web(make_admin())
    draft = _draft(agent, section_id, body="Paso uno\nPaso dos\n<script>alert(1)</script>")
    articles.publish(admin, translation_id=draft.pk)
    _edit(agent, draft.pk, title="Cambiar la clave (nuevo)", body="Paso uno\nPaso tres")
    articles.publish(admin, translation_id=draft.pk)

    listed = list(editor_selectors.versions(agent, draft.pk))
    assert [(v.number, v.author) for v in listed] == [(2, admin.user), (1, admin.user)]
    diff = versions.diff_versions(agent, translation_id=draft.pk, old=1, new=2)
    assert diff.title_changed
    assert [(x.kind, x.text) for x in diff.lines] == [
        ("same", "Paso uno"),
        ("removed", "Paso dos"),
        ("removed", "<script>alert(1)</script>"),
        ("added", "Paso tres"),
    ]
    html = diff.html()
    assert "<script>" not in html and "&lt;script&gt;" in html and "<del" in html
    with pytest.raises(NotFound):
        versions.diff_versions(agent, translation_id=draft.pk, old=1, new=9)

    with pytest.raises(Forbidden):
        versions.restore_version(agent, translation_id=draft.pk, number=1)
    with capture_events() as events:
        restored = versions.restore_version(admin, translation_id=draft.pk, number=1)
    assert (restored.number, restored.restored_from, restored.body) == (3, 1, draft.body)
    assert [e.version for e in events if isinstance(e, ArticlePublished)] == [3]
    assert _readable_body(draft.pk) == draft.body
    current = ArticleTranslation.objects.get(pk=draft.pk)
    assert (current.title, current.body) == (draft.title, draft.body)
    assert ArticleVersion.objects.filter(translation=draft).count() == 3


def test_restoring_keeps_unpublished_edits_of_the_working_copy(section_id: int) -> None:
    agent, admin = web(make_agent()), web(make_admin())
    draft = _draft(agent, section_id)
    articles.publish(admin, translation_id=draft.pk)
    _edit(agent, draft.pk, body="v2")
    articles.publish(admin, translation_id=draft.pk)
    _edit(agent, draft.pk, body="a medio escribir")
    versions.restore_version(admin, translation_id=draft.pk, number=1)
    current = ArticleTranslation.objects.get(pk=draft.pk)
    assert (current.published_body, current.body) == ("v1", "a medio escribir")


def test_scheduled_publishing_happens_when_the_clock_reaches_it(section_id: int) -> None:
    agent, admin = web(make_agent()), web(make_admin())
    draft = _draft(agent, section_id)
    with time_machine.travel(datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        with pytest.raises(Invalid) as past:
            workflow.schedule(
                admin,
                translation_id=draft.pk,
                publish_at=datetime.datetime(2027, 3, 1, 8, 0, tzinfo=datetime.UTC),
            )
        assert past.value.errors[0].field == "publish_at"
        with pytest.raises(Forbidden):
            workflow.schedule(agent, translation_id=draft.pk, publish_at=timezone.now())
        workflow.schedule(
            admin,
            translation_id=draft.pk,
            publish_at=datetime.datetime(2027, 3, 1, 10, 0, tzinfo=datetime.UTC),
        )
        assert workflow.publish_due() == 0
    with time_machine.travel(datetime.datetime(2027, 3, 1, 10, 0, tzinfo=datetime.UTC), tick=False):
        with capture_events() as events:
            assert tasks.publish_scheduled_articles.call() == 1  # the every-minute job
        assert workflow.publish_due() == 0
    current = ArticleTranslation.objects.get(pk=draft.pk)
    assert (current.state, current.publish_at, current.published_version) == ("published", None, 1)
    assert current.versions.get().author == admin.user
    [event] = [e for e in events if isinstance(e, ArticlePublished)]
    assert event.source == "system"


def test_the_owner_is_reminded_once_per_verify_by_date(section_id: int, on_commit: Any) -> None:
    agent = web(make_agent(email="duena@example.com"))
    draft = _draft(agent, section_id)
    article = Article.objects.get(pk=draft.article_id)
    articles.update_article(
        agent, article_id=article.pk, revision=article.revision, verify_by=datetime.date(2027, 5, 1)
    )
    assert workflow.remind_verification(datetime.date(2027, 5, 1)) == 0  # not passed yet
    with on_commit(), capture_events() as events:
        assert workflow.remind_verification(datetime.date(2027, 5, 2)) == 1
    [event] = [e for e in events if isinstance(e, ArticleVerificationDue)]
    assert (event.owner_id, event.verify_by) == (agent.user_id, "2027-05-01")
    deliver_due()
    assert [m.to for m in mail.outbox] == [["duena@example.com"]]
    assert "Cambiar la clave" in mail.outbox[0].subject
    assert workflow.remind_verification(datetime.date(2027, 5, 3)) == 0  # once per date
    article.refresh_from_db()
    articles.update_article(
        agent, article_id=article.pk, revision=article.revision, verify_by=datetime.date(2027, 6, 1)
    )
    assert workflow.remind_verification(datetime.date(2027, 6, 2)) == 1  # a new date reminds


def test_attachments_store_what_the_bytes_are_and_refuse_bad_input(
    section_id: int, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.ATIENDE_KB_MAX_ATTACHMENT_BYTES = 1024 * 1024
    agent = web(make_agent())
    article_id = _draft(agent, section_id).article_id
    image = attachments.upload_attachment(
        agent, article_id=article_id, filename="../../etc/pa]ss(wd).txt", stream=io.BytesIO(PNG)
    )
    assert image.content_type == "image/png" and image.filename == "pa]ss(wd).txt"
    assert "/" not in image.filename and image.file.name.startswith(f"kb/{article_id}/")
    assert attachments.markdown_for(image) == f"![pa_ss_wd_.txt](/help/files/{image.pk}/)"
    doc = attachments.upload_attachment(
        agent, article_id=article_id, filename="C:\\x\\notas.txt", stream=io.BytesIO(b"hola")
    )
    assert (doc.filename, doc.content_type) == ("notas.txt", "text/plain")
    assert attachments.markdown_for(doc) == f"[notas.txt](/help/files/{doc.pk}/)"

    with pytest.raises(PayloadTooLarge) as big:
        attachments.upload_attachment(
            agent, article_id=article_id, filename="big.bin", stream=io.BytesIO(b"x" * (2**20 + 1))
        )
    assert big.value.errors[0].field == "file"
    with pytest.raises(Invalid) as empty:
        attachments.upload_attachment(
            agent, article_id=article_id, filename="vacío.txt", stream=io.BytesIO(b"")
        )
    assert empty.value.errors[0].field == "file"
    with pytest.raises(NotFound):
        attachments.upload_attachment(
            agent, article_id=10**9, filename="a.txt", stream=io.BytesIO(b"x")
        )


def test_from_ticket_to_article_with_the_question_and_the_agents_answer(section_id: int) -> None:
    group = make_group()
    agent = web(make_agent(group))
    ticket = make_ticket(
        subject="No puedo entrar", body="Olvidé mi clave.\nAyuda", group_id=group.pk
    )
    tickets.reply(agent, ticket_id=ticket.pk, body="Nota interna secreta", public=False)
    tickets.reply(agent, ticket_id=ticket.pk, body="Pulse «Olvidé mi clave».")
    draft = from_ticket.draft_from_ticket(agent, ticket_id=ticket.pk)
    assert draft.state == ArticleState.DRAFT and draft.title == "No puedo entrar"
    assert draft.article.source_ticket_id == ticket.pk and draft.language == "es"
    assert "> Olvidé mi clave.\n> Ayuda" in draft.body
    assert "Pulse «Olvidé mi clave»." in draft.body and "secreta" not in draft.body
    assert draft.body.startswith("## Pregunta")

    outsider = web(make_agent(make_group()))
    with pytest.raises(TicketNotFound):
        from_ticket.draft_from_ticket(outsider, ticket_id=ticket.pk)
    with pytest.raises(Forbidden):
        from_ticket.draft_from_ticket(web(ticket.requester), ticket_id=ticket.pk)


def test_categories_and_sections_are_managed_and_not_deleted_while_in_use(
    section_id: int,
) -> None:
    agent = web(make_agent())
    section = structure.update_section(agent, section_id=section_id, names={"es": "Entrar"})
    assert section.names == {"es": "Entrar"}
    _draft(agent, section_id)
    with pytest.raises(Invalid) as used:
        structure.delete_section(agent, section_id=section_id)
    assert used.value.errors[0].field == "section"
    with pytest.raises(Invalid):
        structure.delete_category(agent, category_id=section.category_id)
    empty = structure.create_category(agent, names={"es": "Vacía"})
    structure.delete_category(agent, category_id=empty.pk)
    with pytest.raises(NotFound):
        structure.update_category(agent, category_id=empty.pk, names={"es": "x"})

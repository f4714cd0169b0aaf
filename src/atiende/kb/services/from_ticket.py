"""From ticket to article in one click: a draft holding the customer's question and our answer.

The ticket is read through ``tickets.selectors`` for the acting agent (one they may not see is
"not found"); only public messages are used, never internal notes. The draft is linked to the
ticket (``source_ticket``) and written in the ticket's language.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import translation as i18n
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import Invalid
from atiende.core.permissions import require_staff
from atiende.kb.models import Article, ArticleTranslation, Section
from atiende.kb.services.articles import MAX_TITLE, languages, unique_slug
from atiende.tickets.models import Direction
from atiende.tickets.selectors import get_ticket, visible_messages


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.strip().splitlines())


def draft_from_ticket(
    actor: Actor, *, ticket_id: int, section_id: int | None = None
) -> ArticleTranslation:
    """A new draft article from a ticket the actor sees (staff only)."""
    require_staff(actor)
    ticket = get_ticket(actor, ticket_id)
    messages = visible_messages(actor, ticket).filter(public=True).order_by("created_at", "pk")
    question = messages.filter(direction=Direction.INBOUND).first()
    answer = (
        messages.filter(direction=Direction.OUTBOUND, author__isnull=False)
        .order_by("-created_at", "-pk")
        .first()
    )
    language = ticket.language if ticket.language in languages() else settings.LANGUAGE_CODE
    with i18n.override(language):
        parts = [f"## {_('Question')}", _quote(question.body_text) if question else ""]
        parts += [f"## {_('Answer')}", answer.body_text.strip() if answer else ""]
    body = "\n\n".join(part for part in parts if part) + "\n"
    title = (ticket.subject or "").strip()[:MAX_TITLE] or _("Article from ticket #%(number)s") % {
        "number": ticket.number
    }
    with transaction.atomic():
        sections = Section.objects.order_by("category__position", "position", "pk")
        section = (
            sections.filter(pk=section_id).first() if section_id is not None else sections.first()
        )
        if section is None:
            raise Invalid.field("section", _("Create a knowledge-base section first."))
        article = Article.objects.create(
            section=section, owner=actor.user, created_by=actor.user, source_ticket_id=ticket.pk
        )
        return ArticleTranslation.objects.create(
            article=article,
            language=language,
            title=title,
            body=body,
            slug=unique_slug(language, title),
            updated_by=actor.user,
        )

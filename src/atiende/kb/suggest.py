"""Articles suggested while a customer writes a request, and the deflections they earn.

``suggest`` ranks articles two ways and fuses the two lists by reciprocal rank (RRF): the
full-text search (``kb.search``: the words typed, corrected and completed) and, when the
offline encoder is available, the published translations nearest in meaning
(``atiende.semantic``, indexed by ``kb.semantic_index``), which also finds an article
written in another language. Without the encoder — not installed, not
loaded, or failing — the suggestions are the full-text results alone. Every suggestion is read
through ``kb.selectors.readable_translations``: a customer is never offered an internal or
unpublished article, whichever list found it.

A customer who opens a suggestion from the form is recorded as a ``Deflection`` under a hash
of their session key (``reader_of``; never the key itself). If the same reader still sends
the request, the form calls ``mark_submitted`` and the deflection no longer counts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import NotFound
from atiende.core.permissions import require_staff
from atiende.kb.models import ArticleTranslation, Deflection, Visibility
from atiende.kb.search import log_search, query
from atiende.kb.search.text import plain_text
from atiende.kb.selectors import readable_translations
from atiende.kb.semantic_index import KIND as ARTICLE_KIND
from atiende.semantic import encoder
from atiende.semantic import selectors as semantic_selectors
from atiende.semantic.fusion import reciprocal_rank_fusion
from atiende.tickets.selectors import get_ticket, visible_messages

log = logging.getLogger(__name__)

RRF_K = 60
# How many candidates each ranking contributes before fusion.
CANDIDATES = 20
# A request sent this long after opening a suggestion still cancels the deflection.
SUBMIT_WINDOW = timedelta(hours=24)

# Below this cosine similarity an article is not "near" a question (unrelated texts score
# 0.0-0.2 with the multilingual encoder; 0.2 scored best on the bench's hit rate).
MIN_SIMILARITY = 0.2

# The meaning ranking: (text, language, limit) → translation ids nearest first, or None when
# the encoder is unavailable. ``encoder_nearest`` unless a test plugs in another.
Nearest = Callable[[str, str, int], Sequence[int] | None]


def encoder_nearest(text: str, language: str, limit: int) -> list[int] | None:
    """Published translations nearest in meaning (``atiende.semantic``), any language."""
    if not encoder.available():
        return None
    found = semantic_selectors.nearest(ARTICLE_KIND, text, limit)
    return [object_id for object_id, similarity in found if similarity >= MIN_SIMILARITY]


_semantic: list[Nearest] = [encoder_nearest]


def use_semantic(nearest: Nearest | None) -> None:
    """Plug in (or, with None, take out) the meaning-based ranking."""
    _semantic.clear()
    if nearest is not None:
        _semantic.append(nearest)


@dataclass(frozen=True)
class Suggestion:
    translation_id: int
    article_id: int
    language: str
    slug: str
    plain_title: str
    title: SafeString
    snippet: SafeString
    score: float
    # Written in another language than the one asked: the reader is told so.
    other_language: bool
    # Which rankings found it: "text", "meaning" or both.
    found_by: tuple[str, ...]


def semantic_translations(text: str, language: str, limit: int) -> list[int] | None:
    """Translation ids nearest in meaning, or None when no encoder answers (never raises)."""
    if not _semantic:
        return None
    try:
        found = _semantic[0](text, language, limit)
    except Exception:
        log.exception("semantic suggestions failed; using full text alone")
        return None
    return None if found is None else list(found)


def suggest(
    actor: Actor | None,
    text: str,
    *,
    language: str,
    limit: int = 5,
    source: str | None = None,
) -> list[Suggestion]:
    """The ``limit`` articles that best answer ``text``, asked in ``language``.

    ``source`` (a ``SearchSource``) logs the search with the number of suggestions.
    """
    limit = max(1, min(limit, CANDIDATES))
    page = query.run(actor, text, language=language, limit=CANDIDATES, complete=True)
    by_text = {result.article_id: result for result in page.results}
    rankings: list[Sequence[int]] = [list(by_text)]
    nearest = _nearest_articles(actor, text, language)
    if nearest:
        rankings.append(nearest)
    fused = reciprocal_rank_fusion(*rankings, k=RRF_K)[: limit * 2]
    meaning = set(nearest or ())
    missing = [article_id for article_id, _score in fused if article_id not in by_text]
    others = _readable_texts(actor, missing, language)
    terms = query.analyze_query(text, language=language, languages=query.languages(), complete=True)
    suggestions: list[Suggestion] = []
    for article_id, score in fused:
        found_by = tuple(
            name
            for name, hit in (("text", article_id in by_text), ("meaning", article_id in meaning))
            if hit
        )
        result = by_text.get(article_id)
        if result is not None:
            suggestions.append(
                Suggestion(
                    translation_id=result.translation_id,
                    article_id=article_id,
                    language=result.language,
                    slug=result.slug,
                    plain_title=result.plain_title,
                    title=result.title,
                    snippet=result.snippet,
                    score=score,
                    other_language=result.other_language,
                    found_by=found_by,
                )
            )
            continue
        row = others.get(article_id)
        if row is None:  # not readable by this reader (or withdrawn): never shown
            continue
        lang = row.language
        marked = terms.marked(lang)
        suggestions.append(
            Suggestion(
                translation_id=row.pk,
                article_id=article_id,
                language=lang,
                slug=row.slug,
                plain_title=row.published_title,
                title=query.highlight(row.published_title, lang, marked),
                snippet=query.snippet(plain_text(row.published_body), lang, marked),
                score=score,
                other_language=lang != language,
                found_by=found_by,
            )
        )
        if len(suggestions) == limit:
            break
    suggestions = suggestions[:limit]
    if source is not None:
        log_search(actor, text=text, language=language, results=len(suggestions), source=source)
    return suggestions


def _nearest_articles(actor: Actor | None, text: str, language: str) -> list[int] | None:
    """Articles nearest in meaning that ``actor`` may read, best first (None: no encoder)."""
    if not text.strip():
        return None
    found = semantic_translations(text, language, CANDIDATES * 2)
    if not found:
        return found
    article_of = dict(
        readable_translations(actor).filter(pk__in=found).values_list("pk", "article_id")
    )
    articles = [article_of[pk] for pk in found if pk in article_of]
    return list(dict.fromkeys(articles))[:CANDIDATES]


def _readable_texts(
    actor: Actor | None, article_ids: Sequence[int], language: str
) -> dict[int, ArticleTranslation]:
    """Per article, the readable translation to show: the asked language's when there is one."""
    if not article_ids:
        return {}
    chosen: dict[int, ArticleTranslation] = {}
    rows = (
        readable_translations(actor)
        .filter(article_id__in=list(article_ids))
        .only("pk", "article_id", "language", "slug", "published_title", "published_body")
        .order_by("article_id", "pk")
    )
    for row in rows:
        held = chosen.get(row.article_id)
        if held is None or (row.language == language and held.language != language):
            chosen[row.article_id] = row
    return chosen


def reader_of(session_key: str) -> str:
    """Who read, without keeping the session key: a keyed hash of it (64 hex digits)."""
    return salted_hmac("atiende.kb.reader", session_key, algorithm="sha256").hexdigest()


def record_opened(actor: Actor | None, *, reader: str, translation_id: int) -> Deflection:
    """A reader opened a suggested article from the request form."""
    with transaction.atomic():
        translation = readable_translations(actor).filter(pk=translation_id).first()
        if translation is None:
            raise NotFound(_("No such article."))
        user = actor.user if actor is not None else None
        return Deflection.objects.create(
            translation=translation,
            reader=reader[:64],
            user=user if user is not None and user.pk is not None else None,
        )


def mark_submitted(reader: str) -> int:
    """The reader sent the request after all: their recent suggestions deflected nothing.

    Called by the request form once the request is created; returns how many were marked.
    """
    if not reader:
        return 0
    since = timezone.now() - SUBMIT_WINDOW
    with transaction.atomic():
        return Deflection.objects.filter(
            reader=reader, submitted=False, created_at__gte=since
        ).update(submitted=True)


@dataclass(frozen=True)
class TicketSuggestion:
    """An article offered to the agent on a ticket page, with the text to insert."""

    suggestion: Suggestion
    body: str  # the published Markdown, inserted as the reply's text
    internal: bool  # agents only: read, never sent to the customer


def for_ticket(actor: Actor, ticket_id: int, *, limit: int = 3) -> list[TicketSuggestion]:
    """The articles that best answer a ticket's question, for its agents (staff only).

    The question is the subject and the first public message, read through the gate; the
    suggestions are asked in the ticket's language and logged as the agent's searches.
    """
    require_staff(actor)
    ticket = get_ticket(actor, ticket_id)
    first = visible_messages(actor, ticket).filter(public=True).order_by("pk").first()
    question = f"{ticket.subject}\n{first.body_text if first is not None else ''}"[:2000]
    found = suggest(actor, question, language=ticket.language or "es", limit=limit, source="agent")
    texts = {
        pk: (body, visibility == Visibility.INTERNAL)
        for pk, body, visibility in readable_translations(actor)
        .filter(pk__in=[s.translation_id for s in found])
        .values_list("pk", "published_body", "article__visibility")
    }
    return [
        TicketSuggestion(s, *texts[s.translation_id]) for s in found if s.translation_id in texts
    ]

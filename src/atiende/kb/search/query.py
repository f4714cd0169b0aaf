"""Find published articles for what a reader typed, ranked by BM25, through the reading gate.

The query is analyzed like the articles (``analyzer``) once per language searched. In the
asked language a word missing from the index is corrected to the nearest indexed word and the
word being typed may be completed (``vocabulary``); in the other languages only exact terms
count, at a lower weight, so an English-only article can still answer a Spanish question that
names "Outlook" or "VPN". Every candidate row is joined to ``kb.selectors.readable_translations``
in SQL: totals and snippets never see a text the reader may not read.

Ranking is BM25 (k1 1.2, b 0.75) over the postings, with title words counted
``index.TITLE_WEIGHT`` times; the same arithmetic runs on SQLite and PostgreSQL, so both give
the same order. Ties go to the older translation (lower id).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import Combinable
from django.utils.safestring import SafeString, mark_safe

from atiende.core.actor import Actor
from atiende.core.marking import mark_spans
from atiende.kb.models import SearchDocument, SearchPosting
from atiende.kb.search import analyzer, vocabulary
from atiende.kb.search.index import K1, B
from atiende.kb.selectors import readable_translations

# Each term's best texts read as candidates (by stored impact), before exact scoring.
CANDIDATES_PER_TERM = 200
# A corrected or completed word counts less than one typed right; another language less still.
CORRECTED = 0.8
OTHER_LANGUAGE = 0.5
MAX_QUERY = 200
MAX_TERMS = 12
SNIPPET_CHARS = 200


@dataclass(frozen=True)
class QueryTerms:
    """What is looked for: per language, each term and its weight."""

    weights: dict[str, dict[str, float]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return any(self.weights.values())

    def marked(self, language: str) -> frozenset[str]:
        return frozenset(self.weights.get(language, {}))


@dataclass(frozen=True)
class SearchResult:
    translation_id: int
    article_id: int
    language: str
    slug: str
    plain_title: str
    title: SafeString
    snippet: SafeString
    score: float
    # The result is in another language than the one asked (say so to the reader).
    other_language: bool


@dataclass(frozen=True)
class SearchPage:
    query: str
    language: str
    results: list[SearchResult]
    # Matching articles the reader may read; with ``more``, at least that many (a term's
    # candidates were cut at CANDIDATES_PER_TERM).
    total: int
    more: bool = False


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def analyze_query(
    text: str, *, language: str, languages: Sequence[str], complete: bool = False
) -> QueryTerms:
    """The weighted terms of ``text`` in each of ``languages``."""
    text = text[:MAX_QUERY]
    typing = complete and bool(text) and not text[-1].isspace()
    weights: dict[str, dict[str, float]] = {}
    for lang in dict.fromkeys([language, *languages]):
        words = vocabulary.words(lang)
        found: dict[str, float] = {}
        tokens = [t for t in analyzer.tokens(text, lang) if t.term is not None][:MAX_TERMS]
        for position, token in enumerate(tokens):
            assert token.term is not None
            last = typing and position == len(tokens) - 1
            boost = 1.0 if lang == language else OTHER_LANGUAGE
            if token.term in words.terms:
                found[token.term] = max(found.get(token.term, 0.0), boost)
            if lang != language:
                continue
            extra: list[str] = words.complete(token.form) if last else []
            if token.term not in words.terms and not extra:
                corrected = words.correct(token.form)
                extra = [corrected] if corrected else []
            for term in extra:
                found.setdefault(term, boost * CORRECTED)
        if found:
            weights[lang] = found
    return QueryTerms(weights)


def _score(terms: QueryTerms, language: str) -> tuple[Q, Combinable, list[tuple[str, str]]] | None:
    """The rows to read and each row's BM25 contribution, with the statistics filled in.

    Another language's text is searched only for articles without an indexed text in the
    asked language: an article is found through its own translation when it has one.
    """
    condition = Q()
    for lang, weighted in terms.weights.items():
        wanted = Q(language=lang, term__in=list(weighted))
        if lang != language:
            translated = SearchDocument.objects.filter(language=language).values("article_id")
            wanted &= ~Q(article_id__in=translated)
        condition |= wanted
    stats = {
        row["language"]: (row["n"], row["avg"] or 1.0)
        for row in SearchDocument.objects.filter(language__in=list(terms.weights))
        .values("language")
        .annotate(n=Count("pk"), avg=Avg("length"))
    }
    df = {
        (row["language"], row["term"]): row["n"]
        for row in SearchPosting.objects.filter(
            reduce(or_, (Q(language=lang, term__in=list(w)) for lang, w in terms.weights.items()))
        )
        .values("language", "term")
        .annotate(n=Count("pk"))
    }
    idf: list[When] = []
    norm: list[When] = []
    used: list[tuple[str, str]] = []
    for lang, weighted in terms.weights.items():
        count, average = stats.get(lang, (0, 1.0))
        for term, weight in weighted.items():
            seen = df.get((lang, term), 0)
            if seen:
                value = weight * math.log(1 + (count - seen + 0.5) / (seen + 0.5))
                idf.append(When(language=lang, term=term, then=Value(value)))
                used.append((lang, term))
        norm.append(When(language=lang, then=Value(K1 * B / average)))
    if not idf:
        return None
    frequency = F("frequency")
    contribution = (
        Case(*idf, default=Value(0.0), output_field=FloatField())
        * frequency
        * Value(K1 + 1)
        / (
            frequency
            + Value(K1 * (1 - B))
            + Case(*norm, default=Value(0.0), output_field=FloatField()) * F("length")
        )
    )
    return condition, contribution, used


def run(
    actor: Actor | None,
    text: str,
    *,
    language: str,
    limit: int = 10,
    offset: int = 0,
    complete: bool = False,
    search_languages: Sequence[str] | None = None,
) -> SearchPage:
    """The page of ``limit`` results after ``offset`` and the total, one per article."""
    text = " ".join(text.split())[:MAX_QUERY] if not complete else text[:MAX_QUERY]
    terms = analyze_query(
        text,
        language=language,
        languages=search_languages if search_languages is not None else languages(),
        complete=complete,
    )
    scoring = _score(terms, language) if terms else None
    if scoring is None:
        return SearchPage(query=text.strip(), language=language, results=[], total=0)
    condition, contribution, used = scoring
    # The gate, asked per candidate text (an index answers it; migration 0002).
    readable = Exists(readable_translations(actor).filter(pk=OuterRef("translation_id")))
    # Bound the work first: each term's best readable texts by stored impact; only those are
    # scored exactly (a broad term matches most of the knowledge base).
    depth = max(CANDIDATES_PER_TERM, offset + limit)
    translated = SearchDocument.objects.filter(language=language).values("article_id")
    candidates: set[int] = set()
    more = False
    for lang, term in used:
        rows = SearchPosting.objects.filter(readable, language=lang, term=term)
        if lang != language:
            rows = rows.exclude(article_id__in=translated)
        top = list(
            rows.order_by("-impact", "translation_id").values_list("translation_id", flat=True)[
                :depth
            ]
        )
        candidates.update(top)
        more = more or len(top) == depth
    ranked = list(
        SearchPosting.objects.filter(condition, readable, translation_id__in=sorted(candidates))
        .values("translation_id", "article_id", "language")
        .annotate(score=Sum(contribution, output_field=FloatField()))
        .order_by("-score", "translation_id")[: offset + limit]
    )
    # Counted among the candidates: exact unless a term had more texts than it was read for.
    total = len(candidates)
    best: dict[int, tuple[int, str, float]] = {}
    for row in ranked:
        best.setdefault(row["article_id"], (row["translation_id"], row["language"], row["score"]))
    page = list(best.items())[offset : offset + limit]
    texts = {
        row["pk"]: row
        for row in readable_translations(actor)
        .filter(pk__in=[translation_id for _a, (translation_id, _l, _s) in page])
        .values("pk", "slug", "published_title", "search_document__text")
    }
    results: list[SearchResult] = []
    for article_id, (translation_id, lang, score) in page:
        found = texts.get(translation_id)
        if found is None:  # withdrawn between the two reads
            continue
        marked = terms.marked(lang)
        results.append(
            SearchResult(
                translation_id=translation_id,
                article_id=article_id,
                language=lang,
                slug=found["slug"],
                plain_title=found["published_title"],
                title=highlight(found["published_title"], lang, marked),
                snippet=snippet(found["search_document__text"] or "", lang, marked),
                score=score,
                other_language=lang != language,
            )
        )
    return SearchPage(
        query=text.strip(), language=language, results=results, total=total, more=more
    )


def _spans(text: str, language: str, marked: frozenset[str]) -> list[tuple[int, int]]:
    return [(t.start, t.end) for t in analyzer.tokens(text, language) if t.term in marked]


def highlight(text: str, language: str, marked: frozenset[str]) -> SafeString:
    """All of ``text``, escaped, its matching words in ``<mark>``."""
    return mark_safe(mark_spans(text, _spans(text, language, marked), 0, len(text)))  # noqa: S308  (escaped)


def snippet(
    text: str, language: str, marked: frozenset[str], *, size: int = SNIPPET_CHARS
) -> SafeString:
    """About ``size`` characters of ``text`` around its first match (or its start), escaped."""
    spans = _spans(text, language, marked)
    start = max(0, spans[0][0] - size // 3) if spans else 0
    if start:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and start - space < 20 else start
    end = min(len(text), start + size)
    if end < len(text):
        space = text.find(" ", end)
        end = space if 0 <= space - end < 20 else end
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + mark_spans(text, spans, start, end) + suffix)  # noqa: S308  (escaped)

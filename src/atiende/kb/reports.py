"""The knowledge-base report: what is read, what does not help, what is missing, what it saves.

Each figure is one aggregate query over a period of the last 7, 30 or 90 days (today
included, in the instance's time zone), so the whole report costs a handful of queries
whatever the traffic. Staff only. The definitions are written out in
docs/knowledge-base-reading.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, F, FloatField, Max, Q, Sum
from django.db.models.functions import Cast, Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import ErrorCollector
from atiende.core.permissions import require_staff
from atiende.kb.models import ArticleFeedback, ArticleViewDay, Deflection, ReaderDay, SearchLog
from atiende.tickets.selectors import visible_tickets

PERIODS = (7, 30, 90)
# An article needs this many answers before its helpfulness is ranked.
MIN_VOTES = 5
TOP = 10


@dataclass(frozen=True)
class Period:
    days: int
    first_day: date
    last_day: date

    @property
    def since(self) -> datetime:
        """The first instant of the period (midnight of its first day, local time)."""
        return timezone.make_aware(datetime.combine(self.first_day, time.min))


def period(days: int, *, today: date | None = None) -> Period:
    """The last ``days`` days up to ``today`` (7, 30 or 90)."""
    if days not in PERIODS:
        errors = ErrorCollector()
        errors.add("days", _("Choose 7, 30 or 90 days."))
        errors.raise_if_any()
    last = today or timezone.localdate()
    return Period(days=days, first_day=last - timedelta(days=days - 1), last_day=last)


@dataclass(frozen=True)
class ArticleRow:
    translation_id: int
    article_id: int
    language: str
    title: str
    views: int = 0
    helpful: int = 0
    votes: int = 0

    @property
    def ratio(self) -> float:
        return self.helpful / self.votes if self.votes else 0.0


@dataclass(frozen=True)
class MissedSearch:
    query: str
    count: int
    last_seen: datetime


@dataclass(frozen=True)
class DeflectionRow:
    translation_id: int
    article_id: int
    language: str
    title: str
    count: int


@dataclass(frozen=True)
class Comment:
    translation_id: int
    article_id: int
    language: str
    title: str
    helpful: bool
    comment: str
    at: datetime


@dataclass(frozen=True)
class SelfService:
    readers: int
    requesters: int

    @property
    def score(self) -> Decimal | None:
        """Readers per requester (None when nobody opened a ticket)."""
        if not self.requesters:
            return None
        return (Decimal(self.readers) / Decimal(self.requesters)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Report:
    period: Period
    most_viewed: list[ArticleRow]
    least_helpful: list[ArticleRow]
    missed_searches: list[MissedSearch]
    deflections: list[DeflectionRow]
    deflections_total: int
    self_service: SelfService
    comments: list[Comment]


TITLE = ("translation_id", "translation__article_id", "translation__language")


def most_viewed(span: Period, *, limit: int = TOP) -> list[ArticleRow]:
    rows = (
        ArticleViewDay.objects.filter(day__gte=span.first_day, day__lte=span.last_day)
        .values(*TITLE, "translation__published_title")
        .annotate(total=Sum("views"))
        .order_by("-total", "translation_id")[:limit]
    )
    return [
        ArticleRow(
            translation_id=row["translation_id"],
            article_id=row["translation__article_id"],
            language=row["translation__language"],
            title=row["translation__published_title"],
            views=row["total"],
        )
        for row in rows
    ]


def least_helpful(
    span: Period, *, min_votes: int = MIN_VOTES, limit: int = TOP
) -> list[ArticleRow]:
    """Translations with at least ``min_votes`` answers in the period, least helpful first."""
    rows = (
        ArticleFeedback.objects.filter(created_at__gte=span.since)
        .values(*TITLE, "translation__published_title")
        .annotate(votes=Count("id"), yes=Count("id", filter=Q(helpful=True)))
        .filter(votes__gte=min_votes)
        .annotate(ratio=Cast(F("yes"), FloatField()) / Cast(F("votes"), FloatField()))
        .order_by("ratio", "-votes", "translation_id")[:limit]
    )
    return [
        ArticleRow(
            translation_id=row["translation_id"],
            article_id=row["translation__article_id"],
            language=row["translation__language"],
            title=row["translation__published_title"],
            helpful=row["yes"],
            votes=row["votes"],
        )
        for row in rows
    ]


def missed_searches(span: Period, *, limit: int = 20) -> list[MissedSearch]:
    """Searches that found nothing (articles to write), same query in any letter case."""
    rows = (
        SearchLog.objects.filter(results=0, created_at__gte=span.since)
        .annotate(q=Lower("query"))
        .values("q")
        .annotate(count=Count("id"), last=Max("created_at"))
        .order_by("-count", "-last")[:limit]
    )
    return [MissedSearch(query=row["q"], count=row["count"], last_seen=row["last"]) for row in rows]


def deflections(span: Period, *, limit: int = TOP) -> tuple[list[DeflectionRow], int]:
    """Suggested articles opened without a request following, by article, and their total."""
    rows = list(
        Deflection.objects.filter(submitted=False, created_at__gte=span.since)
        .values(*TITLE, "translation__published_title")
        .annotate(count=Count("id"))
        .order_by("-count", "translation_id")
    )
    top = [
        DeflectionRow(
            translation_id=row["translation_id"],
            article_id=row["translation__article_id"],
            language=row["translation__language"],
            title=row["translation__published_title"],
            count=row["count"],
        )
        for row in rows[:limit]
    ]
    return top, sum(row["count"] for row in rows)


def latest_comments(span: Period, *, limit: int = TOP) -> list[Comment]:
    """The latest answers that came with a comment: why an article did (not) help."""
    rows = (
        ArticleFeedback.objects.filter(created_at__gte=span.since)
        .exclude(comment="")
        .select_related("translation")
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        Comment(
            translation_id=row.translation_id,
            article_id=row.translation.article_id,
            language=row.translation.language,
            title=row.translation.published_title,
            helpful=row.helpful,
            comment=row.comment,
            at=row.created_at,
        )
        for row in rows
    ]


def self_service(actor: Actor, span: Period) -> SelfService:
    """Distinct knowledge-base readers ÷ distinct people who opened a ticket (that ``actor``
    may see) in the period."""
    readers = (
        ReaderDay.objects.filter(day__gte=span.first_day, day__lte=span.last_day)
        .values("reader")
        .distinct()
        .count()
    )
    requesters = (
        visible_tickets(actor)
        .filter(created_at__gte=span.since)
        .values("requester_id")
        .distinct()
        .count()
    )
    return SelfService(readers=readers, requesters=requesters)


def kb_report(actor: Actor, *, days: int = 30) -> Report:
    """The whole report for staff (eight queries, whatever the data)."""
    require_staff(actor)
    span = period(days)
    top, total = deflections(span)
    return Report(
        period=span,
        most_viewed=most_viewed(span),
        least_helpful=least_helpful(span),
        missed_searches=missed_searches(span),
        deflections=top,
        deflections_total=total,
        self_service=self_service(actor, span),
        comments=latest_comments(span),
    )

"""Reads: the settings, a ticket's ratings, a customer's, and the satisfaction report.

Every read of ratings that belong to tickets starts at ``tickets.selectors.visible_tickets``:
whoever cannot see a ticket cannot see its ratings. The report costs a fixed number of
queries, whatever the number of tickets, agents and groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from atiende.accounts.models import Group, User
from atiende.core.actor import Actor
from atiende.core.permissions import require_admin, require_staff
from atiende.surveys import scales
from atiende.surveys.models import Kind, Scale, SurveyRequest, SurveySettings
from atiende.tickets.models import Ticket
from atiende.tickets.selectors import visible_tickets


def survey_settings(*, for_update: bool = False) -> SurveySettings:
    """The one settings row (made with the defaults the first time it is read)."""
    rows = SurveySettings.objects.all()
    if for_update:
        rows = rows.select_for_update()
    found = rows.filter(pk=1).first()
    if found is None:
        found, _created = SurveySettings.objects.get_or_create(pk=1)
    return found


def settings_for(actor: Actor) -> SurveySettings:
    require_admin(actor)
    return survey_settings()


@dataclass(frozen=True)
class Rating:
    """One answered (or asked) survey as shown to agents."""

    request_id: int
    ticket_id: int | None
    ticket_number: int | None
    episode: int
    scale: str
    rating: str | None
    satisfied: bool
    comment: str
    asked_at: datetime
    rated_at: datetime | None

    @property
    def word(self) -> str:
        if self.rating in scales.WORDS:
            return str(scales.WORDS[self.rating])
        return f"{self.rating}/5" if self.rating is not None else ""


def _rating(request: SurveyRequest, number: int | None = None) -> Rating:
    return Rating(
        request_id=request.pk,
        ticket_id=request.ticket_id,
        ticket_number=number,
        episode=request.episode,
        scale=request.scale,
        rating=scales.label(request.scale, request.rating),
        satisfied=scales.satisfied(request.scale, request.rating),
        comment=request.comment,
        asked_at=request.created_at,
        rated_at=request.rated_at,
    )


def _visible_csat(actor: Actor) -> QuerySet[SurveyRequest]:
    return SurveyRequest.objects.filter(
        kind=Kind.CSAT, ticket__in=visible_tickets(actor).values("pk")
    )


def ticket_ratings(actor: Actor, ticket_id: int) -> list[Rating]:
    """Each resolution episode's survey of a ticket the actor can see (staff), oldest first."""
    require_staff(actor)
    rows = _visible_csat(actor).filter(ticket_id=ticket_id).order_by("episode")
    return [_rating(r) for r in rows]


@dataclass(frozen=True)
class CustomerRatings:
    recent: list[Rating]
    rated: int
    satisfied: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.satisfied / self.rated) if self.rated else None


RECENT = 5
SATISFIED = (Q(scale=Scale.GOOD_BAD) & Q(rating=scales.GOOD)) | (
    Q(scale=Scale.FIVE) & Q(rating__gte=4)
)


def customer_ratings(actor: Actor, customer_id: int) -> CustomerRatings:
    """The customer's latest ratings on tickets the agent can see, and their CSAT share."""
    require_staff(actor)
    rows = _visible_csat(actor).filter(customer_id=customer_id, rating__isnull=False)
    counts = rows.aggregate(rated=Count("pk"), satisfied=Count("pk", filter=SATISFIED))
    recent = []
    if counts["rated"]:
        recent = list(
            rows.select_related("ticket")
            .only(
                "ticket__number", "episode", "scale", "rating", "comment", "created_at", "rated_at"
            )
            .order_by("-rated_at", "-pk")[:RECENT]
        )
    return CustomerRatings(
        recent=[_rating(r, r.ticket.number if r.ticket else None) for r in recent],
        rated=counts["rated"],
        satisfied=counts["satisfied"],
    )


# --- the report ---------------------------------------------------------------------------

PERIODS = (7, 30, 90)


@dataclass(frozen=True)
class Share:
    label: str
    asked: int
    rated: int
    satisfied: int

    @property
    def csat(self) -> int | None:
        return round(100 * self.satisfied / self.rated) if self.rated else None

    @property
    def response_rate(self) -> int | None:
        return round(100 * self.rated / self.asked) if self.asked else None


@dataclass(frozen=True)
class Nps:
    answers: int
    promoters: int
    passives: int
    detractors: int
    distribution: list[int]  # answers per score 0…10

    @property
    def score(self) -> int | None:
        if not self.answers:
            return None
        return round(100 * (self.promoters - self.detractors) / self.answers)


@dataclass(frozen=True)
class Report:
    days: int
    total: Share
    periods: list[Share]
    agents: list[Share]
    groups: list[Share]
    comments: list[Rating]
    nps: Nps | None


def _share(label: str, asked: int, rated: int, satisfied: int) -> Share:
    return Share(label=label, asked=asked, rated=rated, satisfied=satisfied)


def nps_score(answers: list[int]) -> Nps:
    """Promoters (9–10), passives (7–8), detractors (0–6) and the score
    %promoters − %detractors."""
    distribution = [0] * 11
    for answer in answers:
        distribution[answer] += 1
    promoters = sum(distribution[9:])
    detractors = sum(distribution[:7])
    return Nps(
        len(answers), promoters, len(answers) - promoters - detractors, detractors, distribution
    )


def _per(rows: QuerySet[SurveyRequest], key: str) -> list[dict[str, Any]]:
    """Asked, rated and satisfied counts per value of ``key`` (one query)."""
    counted = rows.values(key).annotate(
        asked=Count("pk", filter=Q(mailed=True) | Q(rating__isnull=False)),
        rated=Count("pk", filter=Q(rating__isnull=False)),
        ok=Count("pk", filter=SATISFIED),
    )
    return [dict(row) for row in counted.order_by(key)]


def satisfaction_report(
    actor: Actor, *, days: int = 30, now: datetime | None = None, comments: int = 10
) -> Report:
    """CSAT and response rate over the last 7/30/90 days, per agent and group over ``days``,
    the latest comments, and NPS when it is on (admins): a fixed number of queries."""
    require_admin(actor)
    now = now or timezone.now()
    oldest = now - timedelta(days=max(*PERIODS, days))
    csat = SurveyRequest.objects.filter(kind=Kind.CSAT, created_at__gte=oldest)
    asked = Q(mailed=True) | Q(rating__isnull=False)
    since = {n: Q(created_at__gte=now - timedelta(days=n)) for n in {*PERIODS, days}}
    aggregates = {}
    for n, within in since.items():
        aggregates[f"asked_{n}"] = Count("pk", filter=within & asked)
        aggregates[f"rated_{n}"] = Count("pk", filter=within & Q(rating__isnull=False))
        aggregates[f"ok_{n}"] = Count("pk", filter=within & SATISFIED)
    totals = csat.aggregate(**aggregates)

    def period(n: int) -> Share:
        return _share(str(n), totals[f"asked_{n}"], totals[f"rated_{n}"], totals[f"ok_{n}"])

    window = csat.filter(since[days])
    by_agent = _per(window, "agent_id")
    by_group = _per(window, "group_id")
    agent_names = dict(
        User.objects.filter(pk__in=[r["agent_id"] for r in by_agent if r["agent_id"]]).values_list(
            "pk", "name"
        )
    )
    group_names = dict(
        Group.objects.filter(pk__in=[r["group_id"] for r in by_group if r["group_id"]]).values_list(
            "pk", "name"
        )
    )
    latest = list(
        window.exclude(comment="")
        .select_related("ticket")
        .only("ticket__number", "episode", "scale", "rating", "comment", "created_at", "rated_at")
        .order_by("-rated_at", "-pk")[:comments]
    )
    settings = survey_settings()
    nps = None
    if settings.nps_enabled:
        answers = list(
            SurveyRequest.objects.filter(
                kind=Kind.NPS, created_at__gte=now - timedelta(days=days), rating__isnull=False
            ).values_list("rating", flat=True)
        )
        nps = nps_score([int(a) for a in answers if a is not None and 0 <= a <= 10])
    return Report(
        days=days,
        total=period(days),
        periods=[period(n) for n in PERIODS],
        agents=[
            _share(agent_names.get(r["agent_id"], "—"), r["asked"], r["rated"], r["ok"])
            for r in by_agent
        ],
        groups=[
            _share(group_names.get(r["group_id"], "—"), r["asked"], r["rated"], r["ok"])
            for r in by_group
        ],
        comments=[_rating(r, r.ticket.number if r.ticket else None) for r in latest],
        nps=nps,
    )


# --- the portal ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PortalRating:
    """What the portal's widget shows for one request of the signed-in customer."""

    ticket_id: int
    number: int
    solved: bool
    scale: str
    options: list[tuple[str, str]]
    rating: str | None
    comment: str


def own_ticket(actor: Actor, ticket_id: int) -> Ticket:
    """A ticket the signed-in customer opened (``SurveyNotFound`` for anyone or anything else:
    a rating never says whether another person's ticket exists)."""
    from atiende.accounts.models import Role
    from atiende.surveys.errors import SurveyNotFound

    user = actor.user
    if user is None or user.role != Role.CUSTOMER:
        raise SurveyNotFound()
    ticket = (
        visible_tickets(actor)
        .select_related("status")
        .filter(pk=ticket_id, requester_id=user.pk)
        .first()
    )
    if ticket is None:
        raise SurveyNotFound()
    return ticket


def portal_rating(actor: Actor, ticket_id: int) -> PortalRating:
    """The rating state of the customer's own request (``SurveyNotFound`` for any other)."""
    from atiende.tickets.models import StatusCategory

    ticket = own_ticket(actor, ticket_id)
    latest = (
        SurveyRequest.objects.filter(kind=Kind.CSAT, ticket_id=ticket.pk)
        .order_by("-episode")
        .first()
    )
    scale = latest.scale if latest is not None else survey_settings().csat_scale
    return PortalRating(
        ticket_id=ticket.pk,
        number=ticket.number,
        solved=ticket.status.category in (StatusCategory.SOLVED, StatusCategory.CLOSED),
        scale=scale,
        options=[(v, str(scales.WORDS.get(v, v))) for v in scales.values(scale)],
        rating=scales.label(scale, latest.rating) if latest is not None else None,
        comment=latest.comment if latest is not None else "",
    )


def latest_rating_for_rules(ticket_id: int) -> str | None:
    """The rating of the ticket's latest resolution (a system read for rules), or None."""
    latest = (
        SurveyRequest.objects.filter(kind=Kind.CSAT, ticket_id=ticket_id)
        .order_by("-episode")
        .values_list("scale", "rating")
        .first()
    )
    return scales.label(*latest) if latest is not None else None

"""The agents' pulse: every ``pulse_every_days`` a round of three 1–5 questions (tools,
workload, support from the team) and an optional comment, answered in the workspace.

Anonymity by design (``docs/surveys.md``): answering writes two rows in one transaction that
share nothing but the round — ``PulseParticipation`` (who answered, so nobody is asked twice)
and ``PulseAnswer`` (the answers: a random UUID key, no user, no time). Supervisors read only
aggregates per round, and only when at least ``pulse_min_answers`` agents answered (per group:
only groups with that many answers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.accounts.models import Group
from atiende.core.actor import Actor
from atiende.core.errors import Conflict, ErrorCollector, Forbidden
from atiende.core.permissions import is_staff, require_admin
from atiende.surveys.models import PulseAnswer, PulseParticipation, PulseRound
from atiende.surveys.selectors import survey_settings

EPOCH = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday: rounds start on it, every N days
QUESTIONS = ("tools", "workload", "support")
MAX_COMMENT = 2_000


def round_bounds(now: datetime, every_days: int) -> tuple[int, datetime, datetime]:
    number = max(0, (now - EPOCH) // timedelta(days=every_days)) + 1
    starts = EPOCH + timedelta(days=every_days * (number - 1))
    return number, starts, starts + timedelta(days=every_days)


def current_round(*, now: datetime | None = None) -> PulseRound:
    """The round running at ``now`` (made the first time it is asked for)."""
    now = now or timezone.now()
    number, starts, ends = round_bounds(now, survey_settings().pulse_every_days)
    found = PulseRound.objects.filter(number=number).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return PulseRound.objects.create(number=number, starts_at=starts, ends_at=ends)
    except IntegrityError:
        return PulseRound.objects.get(number=number)


def is_due(actor: Actor, *, now: datetime | None = None) -> bool:
    """Whether the banner asks this agent now: pulse on, staff, not answered nor dismissed
    this round."""
    if actor.user is None or not is_staff(actor) or not survey_settings().pulse_enabled:
        return False
    now = now or timezone.now()
    number, _starts, _ends = round_bounds(now, survey_settings().pulse_every_days)
    return not PulseParticipation.objects.filter(round__number=number, user=actor.user).exists()


def _require_agent(actor: Actor) -> None:
    if actor.user is None or not is_staff(actor):
        raise Forbidden()


@transaction.atomic
def answer_pulse(
    actor: Actor,
    *,
    tools: int,
    workload: int,
    support: int,
    comment: str = "",
    now: datetime | None = None,
) -> None:
    """Record an agent's answers for the current round, apart from who they are."""
    _require_agent(actor)
    assert actor.user is not None
    errors = ErrorCollector()
    for name, value in (("tools", tools), ("workload", workload), ("support", support)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            errors.add(name, _("Choose from 1 to 5."))
    text = comment.replace("\x00", "").strip()
    if len(text) > MAX_COMMENT:
        errors.add("comment", _("At most %(max)d characters.") % {"max": MAX_COMMENT})
    errors.raise_if_any()
    pulse = current_round(now=now)
    taking_part = (
        PulseParticipation.objects.select_for_update().filter(round=pulse, user=actor.user).first()
    )
    if taking_part is not None and taking_part.answered:
        raise Conflict(_("You have already answered this round."))
    if taking_part is None:
        PulseParticipation.objects.create(round=pulse, user=actor.user, answered=True)
    else:
        taking_part.answered = True
        taking_part.save(update_fields=["answered"])
    group = actor.user.groups.order_by("pk").values_list("pk", flat=True).first()
    PulseAnswer.objects.create(
        round=pulse, group_id=group, tools=tools, workload=workload, support=support, comment=text
    )


@transaction.atomic
def dismiss_pulse(actor: Actor, *, now: datetime | None = None) -> None:
    """Hide the banner until the next round (no answer is recorded)."""
    _require_agent(actor)
    pulse = current_round(now=now)
    PulseParticipation.objects.get_or_create(round=pulse, user=actor.user)


# --- the report (supervisors = admins) ---------------------------------------------------


@dataclass(frozen=True)
class PulseScores:
    label: str
    answers: int
    tools: float | None = None
    workload: float | None = None
    support: float | None = None


@dataclass(frozen=True)
class PulseReport:
    number: int
    starts_at: datetime
    answers: int
    enough: bool
    minimum: int
    overall: PulseScores | None
    groups: list[PulseScores]
    hidden_groups: int
    comments: list[str]


def pulse_report(actor: Actor, *, rounds: int = 4) -> list[PulseReport]:
    """The latest rounds' aggregates: nothing of a round with fewer than the minimum answers,
    nothing of a group with fewer; comments only of a round shown (in random order)."""
    require_admin(actor)
    minimum = survey_settings().pulse_min_answers
    latest = list(PulseRound.objects.order_by("-number")[:rounds])
    ids = [r.pk for r in latest]
    scores = {
        "avg_tools": Avg("tools"),
        "avg_workload": Avg("workload"),
        "avg_support": Avg("support"),
    }
    overall = {
        row["round_id"]: row
        for row in PulseAnswer.objects.filter(round_id__in=ids)
        .values("round_id")
        .annotate(n=Count("pk"), **scores)
        .order_by()
    }
    per_group = list(
        PulseAnswer.objects.filter(round_id__in=ids)
        .values("round_id", "group_id")
        .annotate(n=Count("pk"), **scores)
        .order_by("round_id", "group_id")
    )
    names = dict(
        Group.objects.filter(
            pk__in={g["group_id"] for g in per_group if g["group_id"]}
        ).values_list("pk", "name")
    )
    shown_rounds = {rid for rid, row in overall.items() if row["n"] >= minimum}
    comments: dict[int, list[str]] = {rid: [] for rid in shown_rounds}
    for round_id, text in (
        PulseAnswer.objects.filter(round_id__in=shown_rounds)
        .exclude(comment="")
        .order_by("?")
        .values_list("round_id", "comment")
    ):
        comments[round_id].append(text)

    def scored(label: str, row: Mapping[str, Any]) -> PulseScores:
        def num(key: str) -> float | None:
            value = row[key]
            return round(float(value), 1) if isinstance(value, int | float) else None

        n = row["n"]
        return PulseScores(
            label,
            int(n) if isinstance(n, int) else 0,
            num("avg_tools"),
            num("avg_workload"),
            num("avg_support"),
        )

    reports = []
    for pulse in latest:
        row = overall.get(pulse.pk)
        answers = int(row["n"]) if row else 0
        enough = pulse.pk in shown_rounds
        groups = [g for g in per_group if g["round_id"] == pulse.pk]
        shown = [g for g in groups if g["n"] >= minimum] if enough else []
        reports.append(
            PulseReport(
                number=pulse.number,
                starts_at=pulse.starts_at,
                answers=answers,
                enough=enough,
                minimum=minimum,
                overall=scored(_("All agents"), row) if enough and row else None,
                groups=[scored(names.get(g["group_id"], _("No group")), g) for g in shown],
                hidden_groups=len(groups) - len(shown),
                comments=comments.get(pulse.pk, []),
            )
        )
    return reports

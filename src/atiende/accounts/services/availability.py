"""Agents' availability for assignment: status, last activity, skills, capacity, time off.

Assignment (``automation.assignment``) reads these through ``accounts.selectors``; every change
that may make an agent available again announces ``AgentAvailabilityChanged`` so the waiting
backlog can be drained to them.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.conf.locale import LANG_INFO
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.accounts.models import AgentAvailability, AgentStatus, OutOfOffice, User
from atiende.accounts.selectors import away_after
from atiende.core.actor import Actor, Source
from atiende.core.errors import ErrorCollector, Forbidden, Invalid, NotFound
from atiende.core.event_types import AgentAvailabilityChanged
from atiende.core.events import publish
from atiende.core.text import clean_text

# How often a request may write an agent's ``last_seen_at`` (a cache key throttles it).
SEEN_EVERY_SECONDS = 60
AVAILABILITY_FIELDS = frozenset(
    {"languages", "skill_tags", "skill_categories", "capacity", "chat_capacity"}
)
MAX_SKILLS = 200


def _agent(user_id: int) -> User:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.is_agent:
        raise NotFound(_("Agent not found."))
    return user


def _require_self_or_admin(actor: Actor, user_id: int) -> None:
    user = actor.user
    if user is None or (user.is_active and user.is_admin):
        return
    if user.pk != user_id or not user.is_agent:
        raise Forbidden(_("Only the agent or an administrator can change this."))


def _row(user_id: int) -> AgentAvailability:
    """The agent's row, locked, created with the defaults on first use."""
    row, _created = AgentAvailability.objects.select_for_update().get_or_create(user_id=user_id)
    return row


def _announce(actor: Actor, row: AgentAvailability, reason: str) -> None:
    publish(
        AgentAvailabilityChanged(
            user_id=row.user_id,
            status=str(row.status),
            available=row.status == AgentStatus.ONLINE,
            reason=reason,
            actor_id=actor.user_id,
            source=actor.source.value,
            source_detail=actor.detail,
        )
    )


@transaction.atomic
def set_agent_status(actor: Actor, *, user_id: int, status: str) -> AgentAvailability:
    """The status the agent chose; going online counts as activity (they are here now)."""
    _require_self_or_admin(actor, user_id)
    if status not in AgentStatus.values:
        raise Invalid.field("status", _("Unknown status “%(status)s”.") % {"status": status})
    _agent(user_id)
    row = _row(user_id)
    old = row.status
    row.status = status
    fields = ["status", "updated_at"]
    if status == AgentStatus.ONLINE:
        row.last_seen_at = timezone.now()
        fields.append("last_seen_at")
    row.save(update_fields=fields)
    if old != status:
        _announce(actor, row, "status")
    return row


def note_seen(user_id: int) -> None:
    """Record that an agent is active, at most once a minute (a cache key throttles it): one
    UPDATE while they stay active.

    An "online" agent who had gone idle long enough to count as away is available again: that
    is announced, so the backlog drains to them.
    """
    if not cache.add(f"agent-seen:{user_id}", 1, SEEN_EVERY_SECONDS):
        return
    now = timezone.now()
    still_active = AgentAvailability.objects.filter(
        user_id=user_id, last_seen_at__gte=now - away_after()
    ).update(last_seen_at=now)
    if still_active:
        return
    with transaction.atomic():
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None or not user.is_agent:
            return
        row = _row(user_id)
        row.last_seen_at = now
        row.save(update_fields=["last_seen_at", "updated_at"])
        if row.status == AgentStatus.ONLINE:
            _announce(Actor(user=user, source=Source.WEB), row, "seen")


def _languages(value: Any) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise Invalid.field("languages", _("Give a list of language codes."))
    codes = [v.strip().lower() for v in value]
    unknown = [c for c in codes if c not in LANG_INFO or "fallback" in LANG_INFO[c]]
    if unknown:
        raise Invalid.field(
            "languages", _("Unknown language: %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    return list(dict.fromkeys(codes))


def _tags(value: Any) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise Invalid.field("skill_tags", _("Give a list of tag names."))
    names = [" ".join(clean_text(v).split()).lower() for v in value]
    if any(not n or len(n) > 100 for n in names) or len(names) > MAX_SKILLS:
        raise Invalid.field("skill_tags", _("Tag names must be 1 to 100 characters."))
    return list(dict.fromkeys(names))


def _categories(value: Any) -> list[int]:
    if (
        not isinstance(value, list | tuple)
        or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
        or len(value) > MAX_SKILLS
    ):
        raise Invalid.field("skill_categories", _("Give a list of category ids."))
    return list(dict.fromkeys(value))


def _capacity(value: Any, field: str = "capacity") -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise Invalid.field(field, _("The capacity must be a whole number, 0 or more."))
    return value


def _chat_capacity(value: Any) -> int | None:
    return _capacity(value, "chat_capacity")


def _more_room(old: int | None, new: int | None) -> bool:
    """Whether a capacity went up from a limit (to a higher one or to none)."""
    return old is not None and (new is None or new > old)


@transaction.atomic
def update_availability(
    actor: Actor, *, user_id: int, changes: Mapping[str, Any]
) -> AgentAvailability:
    """Set what the agent covers (``languages``, ``skill_tags``, ``skill_categories``) and
    their ``capacity`` and ``chat_capacity`` (None: no limit). Agents may set their own
    languages; the rest is for administrators. Everything is checked before anything is
    written."""
    unknown = set(changes) - AVAILABILITY_FIELDS
    errors = ErrorCollector()
    for name in sorted(unknown):
        errors.add(name, _("This field cannot be changed."))
    errors.raise_if_any()
    if set(changes) - {"languages"}:
        if actor.user is not None and not (actor.user.is_active and actor.user.is_admin):
            raise Forbidden(_("Only administrators can change skills and capacity."))
    else:
        _require_self_or_admin(actor, user_id)
    cleaners = {
        "languages": _languages,
        "skill_tags": _tags,
        "skill_categories": _categories,
        "capacity": _capacity,
        "chat_capacity": _chat_capacity,
    }
    values = {name: cleaners[name](value) for name, value in changes.items()}
    _agent(user_id)
    row = _row(user_id)
    old_capacities = {"capacity": row.capacity, "chat_capacity": row.chat_capacity}
    for name, value in values.items():
        setattr(row, name, value)
    row.save(update_fields=[*values, "updated_at"])
    if any(
        _more_room(old, getattr(row, name))
        for name, old in old_capacities.items()
        if name in values
    ):
        _announce(actor, row, "capacity")  # room for more: the backlog may drain
    return row


def _aware(value: Any, field: str) -> datetime.datetime:
    if not isinstance(value, datetime.datetime) or timezone.is_naive(value):
        raise Invalid.field(field, _("Give a date and time with its time zone."))
    return value


@transaction.atomic
def add_out_of_office(
    actor: Actor,
    *,
    user_id: int,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    note: str = "",
) -> OutOfOffice:
    """A period away: no new tickets from its start, open ones handed over then."""
    _require_self_or_admin(actor, user_id)
    starts_at, ends_at = _aware(starts_at, "starts_at"), _aware(ends_at, "ends_at")
    if ends_at <= starts_at:
        raise Invalid.field("ends_at", _("The end must be after the start."))
    if ends_at <= timezone.now():
        raise Invalid.field("ends_at", _("The period is already over."))
    note = clean_text(note).strip()
    if len(note) > 200:
        raise Invalid.field("note", _("The note is longer than 200 characters."))
    _agent(user_id)
    _row(user_id)  # serialises this agent's periods: no two overlapping ones slip in together
    overlapping = OutOfOffice.objects.filter(
        user_id=user_id, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if overlapping.exists():
        raise Invalid.field("starts_at", _("This period overlaps another out-of-office period."))
    return OutOfOffice.objects.create(
        user_id=user_id, starts_at=starts_at, ends_at=ends_at, note=note
    )


@transaction.atomic
def end_out_of_office(actor: Actor, *, period_id: int) -> OutOfOffice:
    """End a period now (back early) or drop one not started; the agent is available again."""
    period = OutOfOffice.objects.select_for_update().filter(pk=period_id).first()
    if period is None:
        raise NotFound(_("Out-of-office period not found."))
    _require_self_or_admin(actor, period.user_id)
    now = timezone.now()
    if period.starts_at >= now:
        period.delete()
        return period
    period.ends_at = max(now, period.starts_at + datetime.timedelta(microseconds=1))
    period.returned_at = now
    period.save(update_fields=["ends_at", "returned_at"])
    _announce(actor, _row(period.user_id), "returned")
    return period


def claim_hand_over(*, period_id: int, now: datetime.datetime) -> bool:
    """Mark a started period's hand-over as done; False when another worker did it first."""
    return bool(
        OutOfOffice.objects.filter(pk=period_id, handed_over_at__isnull=True).update(
            handed_over_at=now
        )
    )


def claim_return(actor: Actor, *, period_id: int, now: datetime.datetime) -> bool:
    """Mark an ended period's return as handled and announce the agent available again."""
    with transaction.atomic():
        period = OutOfOffice.objects.filter(pk=period_id, returned_at__isnull=True).first()
        if period is None:
            return False
        claimed = OutOfOffice.objects.filter(pk=period_id, returned_at__isnull=True).update(
            returned_at=now
        )
        if claimed:
            _announce(actor, _row(period.user_id), "returned")
        return bool(claimed)

"""The only writers of time-based rules and of their due rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.automation.models import TimedCondition, TimedRule, TimedRuleDue
from atiende.automation.timed import cache
from atiende.automation.triggers.services import check_definition
from atiende.core.actor import Actor
from atiende.core.errors import FieldError, Invalid, NotFound
from atiende.core.permissions import require_admin
from atiende.core.references import hold
from atiende.tickets.models import ACTIVE_CATEGORIES, StatusCategory
from atiende.tickets.selectors import visible_tickets

SYSTEM = Actor.system("automation")

MAX_MINUTES = 366 * 24 * 60


def _check(
    *, name: str, condition: Any, status_category: Any, minutes: Any, conditions: Any, actions: Any
) -> None:
    errors = check_definition(name=name, conditions=conditions, actions=actions)
    if condition not in TimedCondition.values:
        errors.append(
            FieldError(
                "condition",
                _("Choose one of: %s.") % ", ".join(TimedCondition.values),
            )
        )
    elif condition == TimedCondition.STATUS and status_category not in StatusCategory.values:
        errors.append(FieldError("status_category", _("Choose a status category.")))
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_MINUTES:
        errors.append(
            FieldError(
                "minutes", _("Give a duration of 1 to %(max)d minutes.") % {"max": MAX_MINUTES}
            )
        )
    if errors:
        first = errors[0].message if len(errors) == 1 else _("The rule is not valid.")
        raise Invalid(first, errors=errors)


@transaction.atomic
def create_timed_rule(
    actor: Actor,
    *,
    name: str,
    condition: str,
    minutes: int,
    actions: Sequence[Mapping[str, Any]],
    status_category: str = "",
    conditions: Mapping[str, Any] | None = None,
    active: bool = True,
    order: int = 0,
) -> TimedRule:
    """A new time-based rule; tickets already in its state start an episode now."""
    require_admin(actor)
    conditions = dict(conditions or {})
    _check(
        name=name,
        condition=condition,
        status_category=status_category,
        minutes=minutes,
        conditions=conditions,
        actions=list(actions),
    )
    rule = TimedRule.objects.create(
        name=name.strip(),
        condition=condition,
        status_category=status_category if condition == TimedCondition.STATUS else "",
        minutes=minutes,
        conditions=conditions,
        actions=[dict(a) for a in actions],
        active=active,
        order=order,
    )
    backfill(rule)
    cache.changed()
    return rule


@transaction.atomic
def update_timed_rule(actor: Actor, *, rule_id: int, changes: Mapping[str, Any]) -> TimedRule:
    """Change the given parts of a rule, checked whole; running episodes keep their due time."""
    require_admin(actor)
    rule = TimedRule.objects.select_for_update().filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("Time-based rule not found."))
    fields = ("name", "condition", "status_category", "minutes", "conditions", "actions")
    unknown = sorted(set(changes) - {*fields, "active", "order"})
    if unknown:
        raise Invalid(
            _("This field cannot be changed."),
            errors=[FieldError(n, _("This field cannot be changed.")) for n in unknown],
        )
    values = {f: changes.get(f, getattr(rule, f)) for f in fields}
    _check(**values)
    waits_on = (rule.condition, rule.status_category)
    for name, value in values.items():
        setattr(rule, name, value)
    rule.active = bool(changes.get("active", rule.active))
    rule.order = int(changes.get("order", rule.order))
    rule.save()
    if (rule.condition, rule.status_category) != waits_on:
        TimedRuleDue.objects.filter(rule=rule).delete()  # a different state: new episodes
        backfill(rule)
    cache.changed()
    return rule


@transaction.atomic
def delete_timed_rule(actor: Actor, *, rule_id: int) -> None:
    """Delete a rule with its due rows. Locked first, so the due rows of changes that have
    just held it (``core.references``) are committed, and deleted with it, before it goes."""
    require_admin(actor)
    rule = TimedRule.objects.select_for_update().filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("Time-based rule not found."))
    rule.delete()
    cache.changed()


BACKFILL_CHUNK = 1000


def backfill(rule: TimedRule) -> int:
    """Start an episode, now, for each open ticket already in the rule's state (status or
    unassigned; who is waiting on a customer is not known without reading conversations, so
    that rule times the replies sent from now on). One indexed read of those tickets, once,
    when the rule is made: the minute sweep itself never reads tickets."""
    tickets = visible_tickets(SYSTEM)
    if rule.condition == TimedCondition.STATUS:
        tickets = tickets.filter(status__category=rule.status_category)
    elif rule.condition == TimedCondition.UNASSIGNED:
        tickets = tickets.filter(assignee__isnull=True, status__category__in=ACTIVE_CATEGORIES)
    else:
        return 0
    now = timezone.now()
    due = now + timedelta(minutes=rule.minutes)
    ids = list(tickets.values_list("pk", flat=True))
    for start in range(0, len(ids), BACKFILL_CHUNK):
        TimedRuleDue.objects.bulk_create(
            [
                TimedRuleDue(rule=rule, ticket_id=pk, due_at=due, started_at=now, episode=1)
                for pk in ids[start : start + BACKFILL_CHUNK]
            ],
            ignore_conflicts=True,
        )
    return len(ids)


def start_episode(rule: TimedRule, *, ticket_id: int, at: datetime) -> None:
    """The rule's state began for the ticket: due ``rule.minutes`` from ``at``, unless an
    episode is already running (its first start counts). A rule another process deleted,
    still in this one's snapshot, starts nothing; the snapshot is read again."""
    due = at + timedelta(minutes=rule.minutes)
    updated = TimedRuleDue.objects.filter(
        rule=rule, ticket_id=ticket_id, due_at__isnull=True, started_at__isnull=True
    ).update(due_at=due, started_at=at, fired_at=None, episode=F("episode") + 1)
    if not updated:
        if not hold(TimedRule, [rule.pk]):
            cache.clear()
            return
        TimedRuleDue.objects.get_or_create(
            rule=rule,
            ticket_id=ticket_id,
            defaults={"due_at": due, "started_at": at, "episode": 1},
        )


def end_episode(rule: TimedRule, *, ticket_id: int) -> None:
    """The rule's state ended for the ticket: not due any more, and the next start is a new
    episode."""
    TimedRuleDue.objects.filter(rule=rule, ticket_id=ticket_id, started_at__isnull=False).update(
        due_at=None, started_at=None
    )


def mark_fired(due: TimedRuleDue, *, at: datetime) -> None:
    """The rule fired in this episode: not due again until the episode ends and another starts
    (``started_at`` stays set for as long as the episode lasts)."""
    TimedRuleDue.objects.filter(pk=due.pk).update(due_at=None, fired_at=at)
    TimedRule.objects.filter(pk=due.rule_id).update(
        fired_count=F("fired_count") + 1, last_fired_at=timezone.now()
    )

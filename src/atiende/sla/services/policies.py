"""Writes of SLA policies with their targets and escalation levels.

Administrators only. A policy is saved whole or not at all: conditions, targets and levels are
checked together and every bad part is named (``targets[2].minutes``, ``conditions[0].op``,
``escalations[1].actions[0].value``).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import ErrorCollector, FieldError, Invalid, NotFound
from atiende.core.ordering import check_order_ids, moved_one_place
from atiende.core.permissions import require_admin
from atiende.core.services import check_changes, clean_name, save_unique
from atiende.sla import cache, escalation
from atiende.sla.conditions import validate_conditions
from atiende.sla.models import Calendar, SlaEscalation, SlaPolicy, SlaTarget, TargetKind
from atiende.tickets import config_cache

POLICY_FIELDS = {
    "name",
    "order",
    "is_active",
    "conditions",
    "calendar_id",
    "warning_minutes",
    "targets",
    "escalations",
}
MAX_LEVEL = 4


def create_policy(
    actor: Actor,
    *,
    name: str,
    targets: Sequence[Mapping[str, Any]],
    order: int = 0,
    is_active: bool = True,
    conditions: Sequence[Mapping[str, Any]] = (),
    calendar_id: int | None = None,
    warning_minutes: int = 30,
    escalations: Sequence[Mapping[str, Any]] = (),
) -> SlaPolicy:
    """A new policy. ``targets``: ``{"priority": key, "kind": ..., "minutes": n,
    "business_hours": bool}``; ``escalations``: ``{"kind": ..., "level": 1-4, "minutes": n,
    "actions": [...]}``."""
    return _save(
        actor,
        SlaPolicy(),
        {
            "name": name,
            "order": order,
            "is_active": is_active,
            "conditions": list(conditions) if isinstance(conditions, list | tuple) else conditions,
            "calendar_id": calendar_id,
            "warning_minutes": warning_minutes,
            "targets": list(targets),
            "escalations": list(escalations),
        },
    )


def update_policy(actor: Actor, *, policy_id: int, changes: dict[str, Any]) -> SlaPolicy:
    """Change some fields; ``targets`` or ``escalations``, when given, replace the old ones.
    Running timers take the new targets at the ticket's next event."""
    require_admin(actor)
    check_changes(changes, allowed=POLICY_FIELDS, nullable={"calendar_id"})
    return _save(actor, _get(policy_id), changes)


@transaction.atomic
def delete_policy(actor: Actor, *, policy_id: int) -> None:
    """Delete a policy with its targets, levels and timers (tickets match again on their
    next event). Locked first, so the timers of changes that have just held it
    (``core.references``) are committed, and deleted with it, before it goes."""
    require_admin(actor)
    _get(policy_id, lock=True).delete()
    cache.changed()


@transaction.atomic
def _save(actor: Actor, policy: SlaPolicy, changes: Mapping[str, Any]) -> SlaPolicy:
    require_admin(actor)
    errors = ErrorCollector()
    if "name" in changes:
        policy.name = clean_name(changes["name"] or "", "name", max_length=150, required=True)
    for field in ("order", "warning_minutes"):
        if field in changes:
            value = changes[field]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                errors.add(field, _("Enter a whole number, zero or more."))
            else:
                setattr(policy, field, value)
    if "is_active" in changes:
        policy.is_active = bool(changes["is_active"])
    if "conditions" in changes:
        _collect(errors, validate_conditions, changes["conditions"])
        policy.conditions = changes["conditions"]
    if "calendar_id" in changes:
        calendar_id = changes["calendar_id"]
        if calendar_id is not None and not Calendar.objects.filter(pk=calendar_id).exists():
            errors.add("calendar_id", _("Unknown calendar."))
        policy.calendar_id = calendar_id
    targets = _clean_targets(changes["targets"], errors) if "targets" in changes else None
    levels = (
        _clean_escalations(changes["escalations"], errors) if "escalations" in changes else None
    )
    errors.raise_if_any()
    save_unique(policy, field="name", message=_("A policy with this name already exists."))
    if targets is not None:
        policy.targets.all().delete()
        for target in targets:
            target.policy = policy
        SlaTarget.objects.bulk_create(targets)
    if levels is not None:
        policy.escalations.all().delete()
        for level in levels:
            level.policy = policy
        SlaEscalation.objects.bulk_create(levels)
    cache.changed()
    return policy


def _collect(errors: ErrorCollector, check: Any, *args: Any, **kwargs: Any) -> None:
    """Run a check, adding what it refuses to ``errors`` (all parts are reported at once)."""
    try:
        check(*args, **kwargs)
    except Invalid as invalid:
        errors.errors.extend(invalid.errors or [FieldError("", str(invalid.detail))])


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _clean_targets(items: Any, errors: ErrorCollector) -> list[SlaTarget]:
    if not isinstance(items, list | tuple):
        errors.add("targets", _("Targets must be a list."))
        return []
    priorities = {p.key: p.pk for p in config_cache.priorities()}
    result: list[SlaTarget] = []
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(items):
        part = f"targets[{index}]"
        if not isinstance(item, Mapping):
            errors.add(part, _("A target is an object with a priority, a kind and minutes."))
            continue
        priority, kind, minutes = item.get("priority"), item.get("kind"), _int(item.get("minutes"))
        ok = True
        if priority not in priorities:
            errors.add(f"{part}.priority", _("Unknown priority: %s") % (priority,))
            ok = False
        if kind not in TargetKind.values:
            errors.add(f"{part}.kind", _("Unknown target: %s") % (kind,))
            ok = False
        if minutes is None or minutes <= 0:
            errors.add(
                f"{part}.minutes", _("A target must be a whole number of minutes above zero.")
            )
            ok = False
        business = item.get("business_hours", True)
        if not isinstance(business, bool):
            errors.add(f"{part}.business_hours", _("Expected true or false."))
            ok = False
        if not ok or not isinstance(priority, str) or not isinstance(kind, str) or not minutes:
            continue
        if (priority, kind) in seen:
            errors.add(part, _("This priority already has this target."))
            continue
        seen.add((priority, kind))
        result.append(
            SlaTarget(
                priority_id=priorities[priority],
                kind=kind,
                minutes=minutes,
                business_hours=business,
            )
        )
    return result


def _clean_escalations(items: Any, errors: ErrorCollector) -> list[SlaEscalation]:
    if not isinstance(items, list | tuple):
        errors.add("escalations", _("Escalation levels must be a list."))
        return []
    result: list[SlaEscalation] = []
    for index, item in enumerate(items):
        part = f"escalations[{index}]"
        if not isinstance(item, Mapping):
            errors.add(part, _("A level is an object with a target, a level, minutes and actions."))
            continue
        kind, level, minutes = (
            item.get("kind"),
            _int(item.get("level")),
            _int(item.get("minutes", 0)),
        )
        ok = True
        if kind not in TargetKind.values:
            errors.add(f"{part}.kind", _("Unknown target: %s") % (kind,))
            ok = False
        if level is None or not 1 <= level <= MAX_LEVEL:
            errors.add(f"{part}.level", _("The level must be 1 to %(max)d.") % {"max": MAX_LEVEL})
            ok = False
        if minutes is None:
            errors.add(f"{part}.minutes", _("Enter a whole number of minutes."))
            ok = False
        actions = item.get("actions")
        before = len(errors.errors)
        _collect(errors, escalation.validate_actions, actions, prefix=f"{part}.actions")
        if not ok or len(errors.errors) > before or not isinstance(kind, str):
            continue
        if level is None or minutes is None:
            continue
        result.append(SlaEscalation(kind=kind, level=level, minutes=minutes, actions=actions))
    _check_order(result, items, errors)
    return result


def _check_order(levels: list[SlaEscalation], items: Any, errors: ErrorCollector) -> None:
    """Within a target, each level is unique and comes later than the one below it."""
    by_kind: dict[str, list[tuple[int, int, int]]] = {}
    for index, level in enumerate(levels):
        by_kind.setdefault(level.kind, []).append((level.level, level.minutes, index))
    for kind_levels in by_kind.values():
        kind_levels.sort()
        for (low, low_minutes, _i), (high, high_minutes, index) in itertools.pairwise(kind_levels):
            position = _position(items, levels[index])
            if high == low:
                errors.add(f"escalations[{position}].level", _("This level is given twice."))
            elif high_minutes <= low_minutes:
                errors.add(
                    f"escalations[{position}].minutes",
                    _("A higher level must come later than the level below it."),
                )


def _position(items: Sequence[Any], level: SlaEscalation) -> int:
    for index, item in enumerate(items):
        if (
            isinstance(item, Mapping)
            and item.get("kind") == level.kind
            and item.get("level") == level.level
            and item.get("minutes", 0) == level.minutes
        ):
            return index
    return 0


def _get(policy_id: int, *, lock: bool = False) -> SlaPolicy:
    found = SlaPolicy.objects.select_for_update() if lock else SlaPolicy.objects.all()
    policy = found.filter(pk=policy_id).first()
    if policy is None:
        raise NotFound(_("Unknown SLA policy."))
    return policy


@transaction.atomic
def move_policy(actor: Actor, *, policy_id: int, up: bool) -> None:
    """Swap one with the one just before (``up``) or after it, through ``reorder_policies``."""
    require_admin(actor)
    ids = list(
        SlaPolicy.objects.select_for_update().order_by("order", "id").values_list("pk", flat=True)
    )
    order = moved_one_place(ids, policy_id, up=up)
    if order is None:
        raise NotFound(_("Unknown SLA policy."))
    reorder_policies(actor, ids=order)


@transaction.atomic
def reorder_policies(actor: Actor, *, ids: Sequence[int]) -> None:
    """Put the policies in the order of ``ids``, which must name every policy exactly once
    (the first matching policy applies, so a partial order would be ambiguous)."""
    require_admin(actor)
    existing = set(SlaPolicy.objects.select_for_update().values_list("pk", flat=True))
    for position, policy_id in enumerate(check_order_ids(ids, existing)):
        SlaPolicy.objects.filter(pk=policy_id).update(
            order=(position + 1) * 10, updated_at=timezone.now()
        )
    cache.changed()

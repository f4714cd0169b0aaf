"""The only writers of triggers: create, change, delete; and the counters the engine moves."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.automation import store
from atiende.automation.actions import validate_actions
from atiende.automation.models import Trigger
from atiende.automation.triggers import cache
from atiende.automation.triggers.endless import endless_loops
from atiende.automation.triggers.fields import validate_conditions
from atiende.core import deferred as deferred_counts
from atiende.core.actor import Actor
from atiende.core.errors import FieldError, Invalid, NotFound
from atiende.core.ordering import check_order_ids, moved_one_place
from atiende.core.permissions import require_admin

MAX_NAME = 200
MAX_ACTIONS = 50


def check_definition(
    *, name: str, conditions: Any, actions: Any, prefix: str = ""
) -> list[FieldError]:
    """Every error of a rule's definition (name, conditions, actions), each naming its part."""
    errors: list[FieldError] = []
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME:
        errors.append(
            FieldError(
                f"{prefix}name", _("The name must be 1 to %(max)d characters.") % {"max": MAX_NAME}
            )
        )
    try:
        validate_conditions(conditions, prefix=f"{prefix}conditions")
    except Invalid as invalid:
        errors.extend(invalid.errors)
    if not isinstance(actions, list) or not actions:
        errors.append(FieldError(f"{prefix}actions", _("A rule needs at least one action.")))
    elif len(actions) > MAX_ACTIONS:
        errors.append(
            FieldError(f"{prefix}actions", _("At most %(max)d actions.") % {"max": MAX_ACTIONS})
        )
    else:
        try:
            validate_actions(actions, prefix=f"{prefix}actions")
        except Invalid as invalid:
            errors.extend(invalid.errors)
    return errors


def _refuse_endless_loops(
    conditions: Mapping[str, Any], actions: Sequence[Mapping[str, Any]], exclude_id: int | None
) -> None:
    """Refuse an active rule that would set off an active rule, and be set off by it, without
    end (``loops.endless_loops``), naming the other rule."""
    names = endless_loops(conditions=conditions, actions=actions, exclude_id=exclude_id)
    if names:
        _raise(
            [
                FieldError(
                    "actions",
                    _(
                        "This rule and “%(name)s” would set each other off without end: each "
                        "one's actions make the other's conditions true again. Change the "
                        "conditions of one of them so it stops."
                    )
                    % {"name": name},
                )
                for name in names
            ]
        )


def _raise(errors: list[FieldError]) -> None:
    if errors:
        first = errors[0].message if len(errors) == 1 else _("The rule is not valid.")
        raise Invalid(first, errors=errors)


@transaction.atomic
def create_trigger(
    actor: Actor,
    *,
    name: str,
    conditions: Mapping[str, Any],
    actions: Sequence[Mapping[str, Any]],
    active: bool = True,
    order: int | None = None,
) -> Trigger:
    """A new trigger, checked whole first (nothing saved when any part is wrong); without an
    ``order`` it runs after the others."""
    require_admin(actor)
    _raise(check_definition(name=name, conditions=conditions, actions=list(actions)))
    if active:
        _refuse_endless_loops(conditions, actions, None)
    if order is None:
        last = Trigger.objects.order_by("-order").values_list("order", flat=True).first()
        order = (last or 0) + 10
    trigger = Trigger.objects.create(
        name=name.strip(),
        conditions=dict(conditions),
        actions=[dict(a) for a in actions],
        active=active,
        order=order,
    )
    cache.changed()
    return trigger


UPDATABLE = frozenset({"name", "conditions", "actions", "active", "order"})


@transaction.atomic
def update_trigger(actor: Actor, *, trigger_id: int, changes: Mapping[str, Any]) -> Trigger:
    """Change the given parts of a trigger, the result checked whole."""
    require_admin(actor)
    trigger = Trigger.objects.select_for_update().filter(pk=trigger_id).first()
    if trigger is None:
        raise NotFound(_("Trigger not found."))
    unknown = sorted(set(changes) - UPDATABLE)
    if unknown:
        _raise([FieldError(name, _("This field cannot be changed.")) for name in unknown])
    name = changes.get("name", trigger.name)
    conditions = changes.get("conditions", trigger.conditions)
    actions = changes.get("actions", trigger.actions)
    errors = check_definition(name=name, conditions=conditions, actions=actions)
    if "active" in changes and not isinstance(changes["active"], bool):
        errors.append(FieldError("active", _("The value must be true or false.")))
    if "order" in changes and (
        not isinstance(changes["order"], int) or isinstance(changes["order"], bool)
    ):
        errors.append(FieldError("order", _("The value must be a number.")))
    _raise(errors)
    if changes.get("active", trigger.active):
        _refuse_endless_loops(conditions, actions, trigger.pk)
    trigger.name = name.strip()
    trigger.conditions = dict(conditions)
    trigger.actions = [dict(a) for a in actions]
    trigger.active = changes.get("active", trigger.active)
    trigger.order = changes.get("order", trigger.order)
    trigger.save()
    cache.changed()
    return trigger


@transaction.atomic
def delete_trigger(actor: Actor, *, trigger_id: int) -> None:
    require_admin(actor)
    deleted, _rows = Trigger.objects.filter(pk=trigger_id).delete()
    if not deleted:
        raise NotFound(_("Trigger not found."))
    cache.changed()


def record_fired(trigger_id: int) -> None:
    """Count one firing with the change that set it off: summed with the change's other
    firings and written as its last statements (``core.deferred``), so two importers firing the
    same shipped rule do not wait for each other's whole batch on the rule's row."""
    deferred_counts.add("automation.trigger_fired", _write_fired, Counter({trigger_id: 1}))


def _write_fired(counts: Counter[int]) -> None:
    """Increments, in id order: concurrent firings all count and never deadlock."""
    store.count_fired(counts, timezone.now())


@transaction.atomic
def move_trigger(actor: Actor, *, trigger_id: int, up: bool) -> None:
    """Swap one with the one just before (``up``) or after it, through ``reorder_triggers``."""
    require_admin(actor)
    ids = list(
        Trigger.objects.select_for_update().order_by("order", "id").values_list("pk", flat=True)
    )
    order = moved_one_place(ids, trigger_id, up=up)
    if order is None:
        raise NotFound(_("Trigger not found."))
    reorder_triggers(actor, ids=order)


@transaction.atomic
def reorder_triggers(actor: Actor, *, ids: Sequence[int]) -> None:
    """Run the triggers in the order of ``ids``, which must name every trigger exactly once."""
    require_admin(actor)
    existing = set(Trigger.objects.select_for_update().values_list("pk", flat=True))
    for position, trigger_id in enumerate(check_order_ids(ids, existing)):
        Trigger.objects.filter(pk=trigger_id).update(
            order=(position + 1) * 10, updated_at=timezone.now()
        )
    cache.changed()

"""Escalation levels' actions: validated through a validator the automation app plugs in.

sla sits below automation, so it cannot import the action registry. At start-up the automation
app calls ``use_action_validator(validate_actions)`` (as search plugs its text filter into
``tickets.listing``); until then only the shape is checked: a list of objects with a ``type``.
Either way, an action that moves the ticket to a group that does not exist (deleted) is
refused here, and ``missing_groups`` lets the sweep skip a level whose group went later.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from atiende.accounts.models import Group
from atiende.core.errors import ErrorCollector, Invalid

ActionValidator = Callable[..., None]  # (actions, *, prefix) -> None, raising Invalid

_validator: ActionValidator | None = None
GROUP_ACTIONS = ("set_group",)


def use_action_validator(validator: ActionValidator | None) -> None:
    """Plug in the automation registry's ``validate_actions`` (``None`` unplugs it)."""
    global _validator
    _validator = validator


def action_validator() -> ActionValidator | None:
    """The validator plugged in (tests that check only the shape unplug it and put it back)."""
    return _validator


def validate_actions(actions: Any, *, prefix: str) -> None:
    """Refuse a bad action list naming the part (``escalations[0].actions[1].value``)."""
    if not isinstance(actions, list) or not actions:
        raise Invalid.field(prefix, _("An escalation level needs a list of actions."))
    errors = ErrorCollector()
    for index, item in enumerate(actions):
        if not isinstance(item, Mapping) or not isinstance(item.get("type"), str):
            errors.add(f"{prefix}[{index}].type", _("An action is an object with a type."))
    errors.raise_if_any()
    if _validator is not None:
        _validator(actions, prefix=prefix)
    for index in missing_groups(actions):
        errors.add(f"{prefix}[{index}].value", _("That group does not exist (deleted?)."))
    errors.raise_if_any()


def group_ids(actions: Sequence[Mapping[str, Any]]) -> dict[int, int]:
    """Action index -> the group id it moves the ticket to."""
    found: dict[int, int] = {}
    for index, item in enumerate(actions):
        value = item.get("value") if isinstance(item, Mapping) else None
        if item.get("type") in GROUP_ACTIONS and isinstance(value, int):
            found[index] = value
    return found


def missing_groups(actions: Sequence[Mapping[str, Any]]) -> list[int]:
    """Indexes of actions naming a group that is gone or inactive."""
    wanted = group_ids(actions)
    if not wanted:
        return []
    present = set(
        Group.objects.filter(pk__in=set(wanted.values()), is_active=True).values_list(
            "pk", flat=True
        )
    )
    return [index for index, group_id in wanted.items() if group_id not in present]

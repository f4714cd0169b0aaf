"""The registry of action types: a validator and a runner per name."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import FieldError, Invalid

if TYPE_CHECKING:
    from atiende.tickets.models import Ticket

Params = Mapping[str, Any]
Validator = Callable[[Params], None]


@dataclass(frozen=True)
class ActionContext:
    """Who runs the actions and why: the ``Actor`` names the rule, macro or SLA level in the
    ticket's history; ``depth`` counts rules set off by rules (loop protection); ``dry_run``
    asks runners that support it to describe instead of act."""

    actor: Actor
    depth: int = 0
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)


Runner = Callable[[ActionContext, int, Params], None]
# The changes an action makes to a ticket being opened, read from it in memory (``Opening``);
# raises ``Invalid`` when it cannot say (the rule then runs after the write, as any other).
Planner = Callable[["Ticket", Params], dict[str, Any]]


@dataclass(frozen=True)
class ActionType:
    name: str
    label: str | Promise
    validate: Validator
    run: Runner
    plan: Planner | None = None


_types: dict[str, ActionType] = {}


def action(
    name: str, *, label: str | Promise, validate: Validator, plan: Planner | None = None
) -> Callable[[Runner], Runner]:
    """Register the decorated runner as action type ``name``.

    ``validate(params)`` raises ``Invalid`` whose errors name the parameter (``"value"``,
    ``"field"``…); ``validate_actions`` prefixes them with the action's position. ``plan``,
    for actions that only set fields a new ticket can take before its first write
    (``tickets.services.opening.OPENING_FIELDS``), gives those changes.
    """

    def register(run: Runner) -> Runner:
        _types[name] = ActionType(name=name, label=label, validate=validate, run=run, plan=plan)
        return run

    return register


def action_types() -> dict[str, ActionType]:
    """Every registered type by name (settings screens list them, the API documents them)."""
    return dict(_types)


def validate_actions(actions: Sequence[Params], *, prefix: str = "actions") -> None:
    """Refuse a list with an unknown type or bad parameters, naming each bad part as
    ``actions[2].value``; nothing is run."""
    errors: list[FieldError] = []
    for index, params in enumerate(actions):
        where = f"{prefix}[{index}]"
        kind = params.get("type") if isinstance(params, Mapping) else None
        found = _types.get(kind) if isinstance(kind, str) else None
        if found is None:
            errors.append(FieldError(f"{where}.type", _("Unknown action: %s") % (kind,)))
            continue
        try:
            found.validate(params)
        except Invalid as invalid:
            errors.extend(
                FieldError(f"{where}.{error.field}", error.message) for error in invalid.errors
            )
            if not invalid.errors:
                errors.append(FieldError(where, str(invalid.detail)))
    if errors:
        raise Invalid(_("Some actions are not valid."), errors=errors)


def run_actions(context: ActionContext, ticket_id: int, actions: Sequence[Params]) -> None:
    """Run each action in order, in the caller's transaction (all or nothing)."""
    for params in actions:
        _types[params["type"]].run(context, ticket_id, params)


def plan_actions(ticket: Ticket, actions: Sequence[Params]) -> dict[str, Any] | None:
    """The changes ``actions`` make to a ticket being opened, or None when one of them
    cannot be planned (it must run after the write)."""
    changes: dict[str, Any] = {}
    for params in actions:
        found = _types.get(params.get("type", ""))
        if found is None or found.plan is None:
            return None
        changes.update(found.plan(ticket, params))
    return changes

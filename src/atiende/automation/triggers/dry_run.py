"""“What would this rule do to ticket #1042?” — answered without writing anything.

The conditions are evaluated against the ticket as it is (as if it had just been updated),
and the actions really run, as the rule, inside a transaction that is then rolled back: what
they would change is read from the events they publish (``TicketUpdated.changes``, new
messages) and from what each action says it does (``ActionContext.notes``). Other rules do
not react meanwhile, and the rollback drops every row and outbox effect, so nothing is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from atiende.automation.actions import ActionContext, run_actions
from atiende.automation.models import Trigger
from atiende.automation.triggers.conditions import compile_conditions
from atiende.automation.triggers.engine import quiet, rule_actor
from atiende.automation.triggers.facts import Facts, Kind
from atiende.automation.triggers.services import check_definition
from atiende.core.actor import Actor, Source
from atiende.core.errors import AtiendeError, Invalid
from atiende.core.event_types import FieldChange, MessageAdded, TicketUpdated
from atiende.core.events import capture_events
from atiende.core.permissions import require_admin
from atiende.tickets import services as tickets
from atiende.tickets.selectors import get_ticket


@dataclass(frozen=True)
class ConditionResult:
    part: str  # "all[0]", "any[1]"
    condition: Mapping[str, Any]
    result: bool


@dataclass
class ActionPreview:
    action: Mapping[str, Any]
    changes: list[FieldChange] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str = ""


@dataclass
class DryRun:
    matches: bool
    conditions: list[ConditionResult]
    actions: list[ActionPreview]


class _Rollback(Exception):
    """Leaves the dry run's transaction, undoing it."""


def dry_run(
    actor: Actor,
    *,
    ticket_id: int,
    trigger: Trigger | None = None,
    definition: Mapping[str, Any] | None = None,
    kind: str = Kind.UPDATED,
) -> DryRun:
    """What ``trigger`` (saved) or ``definition`` ({"conditions", "actions"}, unsaved) would do
    to the ticket: whether it matches, each condition's result, each action's changes. The
    actions are previewed even when the conditions do not hold (to see what they would do)."""
    require_admin(actor)
    get_ticket(actor, ticket_id)  # missing and invisible alike: not found
    if trigger is not None:
        conditions, actions, rule_id = trigger.conditions, trigger.actions, trigger.pk
    else:
        definition = definition or {}
        conditions, actions, rule_id = (
            definition.get("conditions", {}),
            definition.get("actions", []),
            0,
        )
        errors = check_definition(name="dry run", conditions=conditions, actions=actions)
        if errors:
            raise Invalid(errors[0].message, errors=errors)
    facts = Facts(kind=kind, ticket_id=ticket_id, source=Source.WEB)
    compiled = compile_conditions(conditions)
    results = [ConditionResult(p, c, r) for p, c, r in compiled.explain(facts)]
    previews = _preview(rule_id, ticket_id, actions)
    return DryRun(matches=compiled.matches(facts), conditions=results, actions=previews)


def _preview(rule_id: int, ticket_id: int, actions: list[Mapping[str, Any]]) -> list[ActionPreview]:
    previews: list[ActionPreview] = []
    try:
        with transaction.atomic(), quiet():
            for params in actions:
                preview = ActionPreview(action=params)
                context = ActionContext(actor=rule_actor(rule_id), depth=1, dry_run=True)
                try:
                    with tickets.savepoint(), capture_events() as seen:
                        run_actions(context, ticket_id, [params])
                except AtiendeError as error:
                    preview.error = str(error.detail)
                else:
                    _describe(preview, seen)
                preview.notes = [str(n) for n in context.notes]
                previews.append(preview)
            raise _Rollback
    except _Rollback:
        pass
    return previews


def _describe(preview: ActionPreview, events: list[object]) -> None:
    for event in events:
        if isinstance(event, TicketUpdated):
            preview.changes.extend(event.changes)
        elif isinstance(event, MessageAdded):
            preview.messages.append({"public": event.public, "direction": event.direction})

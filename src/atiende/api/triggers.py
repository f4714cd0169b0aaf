"""/triggers (rules on events) and /automations (time-based rules).

Staff read them (to know why a ticket changed); only administrators change or dry-run them.
A rule with an unknown field, an operator that does not fit, a value of the wrong type or an
unknown action is a 422 naming the part; a dry run writes nothing.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from atiende.api import idempotency
from atiende.api.auth import actor
from atiende.api.schemas.accounts import PageIn
from atiende.api.schemas.automation import (
    DefinitionDryRunIn,
    DryRunIn,
    DryRunOut,
    TimedRuleCreateIn,
    TimedRuleOut,
    TimedRulePage,
    TimedRuleUpdateIn,
    TriggerCreateIn,
    TriggerDetailOut,
    TriggerOut,
    TriggerPage,
    TriggerUpdateIn,
)
from atiende.api.schemas.common import Id, errors
from atiende.api.schemas.sla import ReorderIn
from atiende.api.writes import once, page
from atiende.automation import config_selectors as selectors
from atiende.automation.timed import services as timed
from atiende.automation.triggers import services
from atiende.automation.triggers.dry_run import DryRun, dry_run

router = Router(tags=["automation"])


def _dry_run_out(result: DryRun) -> dict[str, Any]:
    return {
        "matches": result.matches,
        "conditions": [
            {"part": c.part, "condition": dict(c.condition), "result": c.result}
            for c in result.conditions
        ],
        "actions": [
            {
                "action": dict(a.action),
                "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in a.changes],
                "messages": a.messages,
                "notes": a.notes,
                "error": a.error,
            }
            for a in result.actions
        ],
    }


def _dry_run(request: HttpRequest, run: Any) -> HttpResponse:
    caller = actor(request)

    def handler() -> tuple[int, dict[str, Any]]:
        return 200, DryRunOut(**_dry_run_out(run(caller))).model_dump()

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler)


@router.get("/triggers", response={200: TriggerPage, **errors(403, 422)})
def list_triggers(request: HttpRequest, filters: Query[PageIn]) -> dict[str, Any]:
    """Triggers in the order they run, with how often and when each last fired."""
    return page(selectors.list_triggers(actor(request), **filters.model_dump()))


@router.post("/triggers", response={201: TriggerDetailOut, **errors(403, 409, 422)})
def create_trigger(request: HttpRequest, payload: TriggerCreateIn) -> HttpResponse:
    """Create a trigger, checked whole first; without ``order`` it runs after the others.
    ``loop_warnings`` names active rules it may set off endlessly with (a cyclic pair)."""
    fields = payload.model_dump()
    return once(request, 201, lambda c: services.create_trigger(c, **fields), TriggerDetailOut)


@router.post("/triggers/reorder", response={200: TriggerPage, **errors(403, 422)})
def reorder_triggers(request: HttpRequest, payload: ReorderIn) -> HttpResponse:
    """Run the triggers in the order of ``ids`` (every trigger, once); answers the first page."""
    caller = actor(request)

    def handler() -> tuple[int, dict[str, Any]]:
        services.reorder_triggers(caller, ids=payload.ids)
        found = selectors.list_triggers(caller, limit=100, cursor=None)
        items = [TriggerOut.from_orm(t).model_dump() for t in found.items]
        return 200, {"items": items, "next_cursor": found.next_cursor}

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler)


@router.post("/triggers/dry-run", response={200: DryRunOut, **errors(403, 404, 422)})
def dry_run_definition(request: HttpRequest, payload: DefinitionDryRunIn) -> HttpResponse:
    """What an unsaved rule (``conditions``, ``actions``) would do to ``ticket_id``: whether it
    matches, each condition's result and each action's changes. Nothing is written."""
    definition = {"conditions": payload.conditions, "actions": payload.actions}
    return _dry_run(
        request,
        lambda c: dry_run(c, ticket_id=payload.ticket_id, definition=definition, kind=payload.kind),
    )


@router.get("/triggers/{trigger_id}", response={200: TriggerDetailOut, **errors(403, 404, 422)})
def read_trigger(request: HttpRequest, trigger_id: Id) -> Any:
    return selectors.get_trigger(actor(request), trigger_id)


@router.patch("/triggers/{trigger_id}", response={200: TriggerDetailOut, **errors(403, 404, 422)})
def update_trigger(request: HttpRequest, trigger_id: Id, payload: TriggerUpdateIn) -> Any:
    """Change the parts given; the result is checked whole. ``loop_warnings`` names the rules
    this one may set off endlessly with."""
    changes = payload.model_dump(exclude_unset=True)
    return services.update_trigger(actor(request), trigger_id=trigger_id, changes=changes)


@router.delete("/triggers/{trigger_id}", response={204: None, **errors(403, 404, 422)})
def delete_trigger(request: HttpRequest, trigger_id: Id) -> Status[None]:
    services.delete_trigger(actor(request), trigger_id=trigger_id)
    return Status(204, None)


@router.post("/triggers/{trigger_id}/dry-run", response={200: DryRunOut, **errors(403, 404, 422)})
def dry_run_trigger(request: HttpRequest, trigger_id: Id, payload: DryRunIn) -> HttpResponse:
    """What this trigger would do to ``ticket_id`` ("what would it do to #1042?"). Nothing is
    written."""

    def run(caller: Any) -> DryRun:
        trigger = selectors.get_trigger(caller, trigger_id)
        return dry_run(caller, ticket_id=payload.ticket_id, trigger=trigger, kind=payload.kind)

    return _dry_run(request, run)


@router.get("/automations", response={200: TimedRulePage, **errors(403, 422)})
def list_automations(request: HttpRequest, filters: Query[PageIn]) -> dict[str, Any]:
    """Time-based rules in order (pending for 2 days, solved for 4 days…)."""
    return page(selectors.list_timed_rules(actor(request), **filters.model_dump()))


@router.post("/automations", response={201: TimedRuleOut, **errors(403, 409, 422)})
def create_automation(request: HttpRequest, payload: TimedRuleCreateIn) -> HttpResponse:
    """Create a time-based rule; tickets already in its state start an episode now."""
    fields = payload.model_dump()
    return once(request, 201, lambda c: timed.create_timed_rule(c, **fields), TimedRuleOut)


@router.get("/automations/{rule_id}", response={200: TimedRuleOut, **errors(403, 404, 422)})
def read_automation(request: HttpRequest, rule_id: Id) -> Any:
    return selectors.get_timed_rule(actor(request), rule_id)


@router.patch("/automations/{rule_id}", response={200: TimedRuleOut, **errors(403, 404, 422)})
def update_automation(request: HttpRequest, rule_id: Id, payload: TimedRuleUpdateIn) -> Any:
    """Change the parts given, checked whole; running episodes keep their due time."""
    changes = payload.model_dump(exclude_unset=True)
    return timed.update_timed_rule(actor(request), rule_id=rule_id, changes=changes)


@router.delete("/automations/{rule_id}", response={204: None, **errors(403, 404, 422)})
def delete_automation(request: HttpRequest, rule_id: Id) -> Status[None]:
    timed.delete_timed_rule(actor(request), rule_id=rule_id)
    return Status(204, None)

"""The ``assign`` action: give the ticket to an agent by a strategy (the group's by default)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atiende.automation.actions.registry import ActionContext, Params, action
from atiende.automation.assignment import engine
from atiende.automation.models import Strategy
from atiende.core.errors import Invalid

GROUP = "group"  # the group's configured strategy
CHOICES = (GROUP, *(s.value for s in Strategy if s != Strategy.MANUAL))


def validate(params: Params) -> None:
    strategy = params.get("strategy", GROUP)
    if strategy not in CHOICES:
        raise Invalid.field(
            "strategy",
            _("Unknown strategy “%(value)s”; use one of: %(choices)s.")
            % {"value": strategy, "choices": ", ".join(CHOICES)},
        )
    unknown = sorted(set(params) - {"type", "strategy"})
    if unknown:
        raise Invalid.field(unknown[0], _("Unknown parameter."))


@action("assign", label=gettext_lazy("Assign by a strategy"), validate=validate)
def run(context: ActionContext, ticket_id: int, params: Params) -> None:
    """Assign an unassigned ticket in its group; an assigned one, or one with no agent free,
    is left as it is (the backlog drain assigns it when someone is free)."""
    strategy = params.get("strategy", GROUP)
    if context.dry_run:
        agent = engine.preview(ticket_id, strategy=None if strategy == GROUP else strategy)
        if agent is None:
            note = _("Assign by strategy %(strategy)s: nobody is available now.")
        else:
            note = _("Assign by strategy %(strategy)s: to agent #%(agent)d.")
        context.notes.append(note % {"strategy": strategy, "agent": agent})
        return
    engine.assign(
        context.actor, ticket_id=ticket_id, strategy=None if strategy == GROUP else strategy
    )

"""SLA escalation levels run their actions here: sla sits below automation and cannot import
the action registry, so it publishes ``SlaEscalated`` and automation acts on it.

``plug_in`` wires both halves at start-up: the subscriber, and the validator sla calls when a
level is saved.
"""

from __future__ import annotations

import logging

from atiende.automation.actions import ActionContext, run_actions, validate_actions
from atiende.automation.triggers.engine import deeper
from atiende.core import transient
from atiende.core.actor import Actor, Source
from atiende.core.errors import AtiendeError
from atiende.core.event_types import SlaEscalated
from atiende.core.events import subscribe
from atiende.sla import escalation as sla_escalation
from atiende.tickets import services as tickets

log = logging.getLogger(__name__)


def escalation_actor(policy_id: object) -> Actor:
    return Actor(user=None, source=Source.RULE, detail=f"sla:{policy_id}")


def run_escalation(event: SlaEscalated) -> None:
    """Run a reached level's actions as the SLA policy, in the sweep's transaction; a level
    that cannot act is undone alone (logged) and the sweep goes on."""
    actions = list(getattr(event, "actions", ()) or ())
    if not actions:
        return
    context = ActionContext(actor=escalation_actor(event.policy_id), depth=1)
    try:
        with tickets.savepoint(), deeper(1):
            run_actions(context, event.ticket_id, actions)
    except AtiendeError as error:  # the ticket changed since (a group gone, a field deleted)
        log.warning(
            "SLA escalation of policy %s (level %s) failed on ticket %s: %s",
            event.policy_id,
            getattr(event, "level", "?"),
            event.ticket_id,
            error,
        )
    except Exception as exc:  # a bug in one action must not stall every other ticket's sweep
        if transient.is_transient(exc):
            raise  # a deadlock: the sweep's transaction is redone whole
        log.exception(
            "SLA escalation of policy %s (level %s) crashed on ticket %s",
            event.policy_id,
            getattr(event, "level", "?"),
            event.ticket_id,
        )


def plug_in() -> None:
    """Hear ``SlaEscalated`` and give sla the validator of levels' actions (at start-up)."""
    subscribe(SlaEscalated, in_transaction=True)(run_escalation)
    sla_escalation.use_action_validator(validate_actions)

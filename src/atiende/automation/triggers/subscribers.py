"""The triggers hear every ticket event inside its transaction (``triggers.engine``).

The SLA's warning and breach events are heard too once the sla app declares them in
``core.event_types`` (``SlaWarning``, ``SlaBreached``); until then there is nothing to hear.
"""

from __future__ import annotations

from typing import Any

from atiende.automation.triggers import engine, services
from atiende.automation.triggers.facts import Facts, Kind
from atiende.core import event_types
from atiende.core.event_types import MessageAdded, TicketCreated, TicketRated, TicketUpdated
from atiende.core.events import subscribe


@subscribe(TicketCreated, in_transaction=True)
def on_created(event: TicketCreated) -> None:
    for trigger_id in event.rules_applied:  # they acted before the write: count them here
        services.record_fired(trigger_id)
    engine.evaluate(Facts.of(event))


@subscribe(TicketUpdated, in_transaction=True)
def on_updated(event: TicketUpdated) -> None:
    engine.evaluate(Facts.of(event))


@subscribe(MessageAdded, in_transaction=True)
def on_message(event: MessageAdded) -> None:
    engine.evaluate(Facts.of(event))


@subscribe(TicketRated, in_transaction=True)
def on_rated(event: TicketRated) -> None:
    """A customer's rating (surveys): rules read it as ``satisfaction``."""
    engine.evaluate(
        Facts(
            kind=Kind.RATED,
            ticket_id=event.ticket_id,
            source=event.source,
            source_detail=event.source_detail,
            carried={"satisfaction": event.rating},
        )
    )


def sla_facts(event: Any, kind: str) -> Facts:
    return Facts(
        kind=kind,
        ticket_id=event.ticket_id,
        source=str(getattr(event, "source", "system")),
        source_detail=str(getattr(event, "source_detail", "")),
    )


def _on_sla_warning(event: Any) -> None:
    engine.evaluate(sla_facts(event, Kind.SLA_WARNING))


def _on_sla_breached(event: Any) -> None:
    engine.evaluate(sla_facts(event, Kind.SLA_BREACHED))


for _name, _handler in (("SlaWarning", _on_sla_warning), ("SlaBreached", _on_sla_breached)):
    _type = getattr(event_types, _name, None)
    if _type is not None:
        subscribe(_type, in_transaction=True)(_handler)

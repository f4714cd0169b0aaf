"""Rules on a ticket being opened: the ones that only set its own fields act before its first
write (``tickets.services.opening.Opening``), in order, each seeing the ticket as the ones
before left it; the first rule that must do anything else stops this, and it and every rule
after it run once the ticket is written, as before (``engine.evaluate`` skips the ones that
already acted, named by the creation event).

Why: the shipped "urgent words" rule fired on most new tickets and cost each a second
update — a second history row set, event, live-log row and rule pass inside the write lock.
"""

from __future__ import annotations

from atiende.automation.actions import plan_actions
from atiende.automation.triggers import cache, engine
from atiende.automation.triggers.facts import Facts, Kind
from atiende.core.errors import AtiendeError
from atiende.tickets.services.opening import Opening


def apply_opening_rules(opening: Opening) -> None:
    """Let the leading field-setting rules that hold for ``opening`` change it."""
    if engine.is_quiet():
        return
    ticket = opening.ticket
    facts = Facts(
        kind=Kind.CREATED,
        ticket_id=0,  # not written yet: everything is read from ``opening``
        source=opening.actor.source.value,
        source_detail=opening.actor.detail,
        channel=str(ticket.channel),
    )
    facts.preload(ticket, description=opening.description, tags=list(opening.tag_names))
    for trigger in cache.active_triggers():
        try:
            if not trigger.compiled.matches(facts):
                opening.declined.append(trigger.id)
                continue
            changes = plan_actions(ticket, trigger.actions)
            if changes is None:
                return  # it acts after the write, and so do the rules after it
            opening.change(engine.rule_actor(trigger.id), changes, rule_id=trigger.id)
        except AtiendeError:
            return  # it runs after the write, where its failure is noted on the ticket

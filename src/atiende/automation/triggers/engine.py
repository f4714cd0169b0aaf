"""Running the triggers on a ticket event, inside the event's own transaction.

Why inside (docs/decisions/0007-triggers-in-the-change-transaction.md): a rule's changes commit
or roll back with the change that set them off, so a crash can lose neither, and nothing needs
a second transaction or an outbox row to reach the rules. Effects outside the database (mail)
go through the outbox from the actions themselves.

Each active trigger runs in order; one whose conditions hold runs its actions as the rule
(``Actor(None, Source.RULE, "rule:<id>")``), in a savepoint: a rule that cannot do what it asks
(a status the workflow forbids) is undone alone, said in the ticket's history, and the change
that set it off still commits.

Loop protection: a rule never reacts to an event its own actions caused (the event's
``source_detail`` names it), and rules set off by rules stop at ``MAX_DEPTH``; the stop is
written to the ticket's history as an internal note naming the rule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _

from atiende.automation.actions import ActionContext, run_actions
from atiende.automation.triggers import cache, services
from atiende.automation.triggers.cache import CompiledTrigger
from atiende.automation.triggers.facts import Facts
from atiende.automation.triggers.loops import MAX_DEPTH
from atiende.core.actor import Actor, Source
from atiende.core.errors import AtiendeError
from atiende.core.language import default_language
from atiende.tickets import services as tickets

log = logging.getLogger(__name__)

# How many rules deep the current change is (0: a person's or a channel's change).
_depth: ContextVar[int] = ContextVar("automation_rule_depth", default=0)
# Set while writing the engine's own notes and during a dry run: no rule reacts then.
_quiet: ContextVar[bool] = ContextVar("automation_rules_quiet", default=False)


def rule_actor(trigger_id: int) -> Actor:
    return Actor(user=None, source=Source.RULE, detail=f"rule:{trigger_id}")


def is_quiet() -> bool:
    return _quiet.get()


@contextmanager
def quiet() -> Iterator[None]:
    """No trigger runs inside the block (the engine's own notes, dry runs)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


@contextmanager
def deeper(depth: int) -> Iterator[None]:
    token = _depth.set(depth)
    try:
        yield
    finally:
        _depth.reset(token)


@dataclass
class _Cascade:
    """One change and every rule change it set off: which rules fired, in order, and whether
    the chain was stopped (then nothing more runs for it)."""

    fired: list[int] = field(default_factory=list)
    stopped: bool = False


_cascade: ContextVar[_Cascade | None] = ContextVar("automation_rule_cascade", default=None)


def evaluate(facts: Facts) -> list[int]:
    """Run every active trigger whose conditions hold for ``facts``; return the ids fired.

    A trigger that already fired while this event was being handled (set off again by a
    later rule's change) is not run a second time for it; a chain of rules that reaches
    ``MAX_DEPTH`` stops the whole cascade.
    """
    if _quiet.get():
        return []
    triggers = cache.active_triggers()
    if not triggers:
        return []
    cascade = _cascade.get()
    if cascade is None:
        token = _cascade.set(_Cascade())
        try:
            return evaluate(facts)
        finally:
            _cascade.reset(token)
    depth = _depth.get()
    own = facts.source_detail if facts.source == Source.RULE else ""
    mark = len(cascade.fired)
    fired: list[int] = []
    for trigger in triggers:
        if cascade.stopped:
            break
        if trigger.id in facts.settled:
            continue  # it acted, or did not hold, as the ticket was opened (``triggers.opening``)
        if own == f"rule:{trigger.id}" or trigger.id in cascade.fired[mark:]:
            continue  # never on its own change, once per event
        if not trigger.compiled.matches(facts):
            continue
        if depth >= MAX_DEPTH:
            cascade.stopped = True
            _stopped(facts.ticket_id, trigger)
            break
        if _fire(trigger, facts, depth):
            cascade.fired.append(trigger.id)
            fired.append(trigger.id)
            facts.forget()  # the next rules see the ticket as this one left it
    return fired


def _fire(trigger: CompiledTrigger, facts: Facts, depth: int) -> bool:
    context = ActionContext(actor=rule_actor(trigger.id), depth=depth + 1)
    try:
        with tickets.savepoint(), deeper(depth + 1):
            run_actions(context, facts.ticket_id, trigger.actions)
            services.record_fired(trigger.id)
    except AtiendeError as error:
        log.warning("rule %s failed on ticket %s: %s", trigger.id, facts.ticket_id, error)
        detail = error.detail
        _note(
            facts.ticket_id,
            trigger.id,
            lambda: (
                _("Rule “%(name)s” could not run: %(error)s")
                % {"name": trigger.name, "error": detail}
            ),
        )
        return False
    return True


def _stopped(ticket_id: int, trigger: CompiledTrigger) -> None:
    log.warning("rule %s stopped on ticket %s: chain too deep", trigger.id, ticket_id)
    _note(
        ticket_id,
        trigger.id,
        lambda: (
            _(
                "Rule “%(name)s” was stopped: %(depth)d rules had already run one after another "
                "on this change, which looks like a loop between rules."
            )
            % {"name": trigger.name, "depth": MAX_DEPTH}
        ),
    )


def _note(ticket_id: int, trigger_id: int, text: Callable[[], str]) -> None:
    """An internal note in the ticket's history by the rule (in the instance's language),
    which no rule reacts to. A ticket that takes no note (merged away) keeps the log line."""
    try:
        with tickets.savepoint(), quiet(), translation.override(default_language()):
            tickets.add_message(
                rule_actor(trigger_id), ticket_id=ticket_id, body=text(), public=False
            )
    except AtiendeError as error:
        log.warning("no note on ticket %s for rule %s: %s", ticket_id, trigger_id, error)

"""Assignment decisions: one ticket, a group's backlog, an absent agent's tickets.

Each decision runs in one transaction that first locks the group's ``GroupAssignment`` row:
on PostgreSQL, concurrent decisions for a group wait for each other, and the loads they read
(the tally, at READ COMMITTED) include every assignment committed before them, so fifty
tickets arriving at once never push an agent past capacity. When the agent picked has a
capacity, their availability row is locked too and their load read again, which covers an
agent in two groups deciding at once. On SQLite a write transaction excludes the others.

A live chat is not assigned while the chat's bot still answers it (``messaging.chat``): the
bot's hand-over queues it, and the backlog leaves it out until then.

The writes go through ``tickets.services.assign_ticket`` with the assignment's actor
(``Actor(None, RULE, "assignment:<group id>")``) or the calling rule's, so the history names it.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from atiende.accounts.selectors import Candidate, hold_agent
from atiende.automation import store
from atiende.automation.assignment.availability import available_agents
from atiende.automation.assignment.strategies import Situation, choose, limit_of, under_capacity
from atiende.automation.models import GroupAssignment, Strategy
from atiende.core.actor import Actor, Source
from atiende.core.errors import AtiendeError
from atiende.messaging.chat.selectors import bot_answers_ticket, waits_for_bot
from atiende.tickets.services import assign_ticket
from atiende.tickets.workload import (
    RoutingFacts,
    agent_chat_load,
    agent_load,
    assigned_active,
    group_chat_loads,
    group_loads,
    last_helper,
    routing_facts,
    unassigned_backlog,
)

logger = logging.getLogger(__name__)

DRAIN_BATCH = 200  # tickets handed out per drain of one group (the next run takes the rest)


def assignment_actor(group_id: int) -> Actor:
    return Actor(user=None, source=Source.RULE, detail=f"assignment:{group_id}")


def _lock_config(group_id: int, *, create: bool) -> GroupAssignment | None:
    """The group's settings row, locked until commit (created, manual, when asked to).

    A statement built once (``automation.store``): the ORM's Python for this one row was a
    fifth of a decision.
    """
    if create:
        config, _created = GroupAssignment.objects.select_for_update().get_or_create(pk=group_id)
        return config
    row = store.lock_assignment_row(group_id)
    if row is None:
        return None
    group, strategy, fallback, match_language, last_assigned_id = row
    return GroupAssignment.from_db(
        store.alias(),
        ["group_id", "strategy", "fallback", "match_language", "last_assigned_id"],
        [group, strategy, fallback, bool(match_language), last_assigned_id],
    )


def _without(loads: dict[int, int], chats: dict[int, int]) -> dict[int, int]:
    """Open tickets other than chats: the loads the ticket capacity is weighed against."""
    return {user: n - chats.get(user, 0) for user, n in loads.items() if n > chats.get(user, 0)}


def _fresh_load(user_id: int, *, chat: bool) -> int:
    """One agent's open chats, or their other open tickets, read afresh."""
    chats = agent_chat_load(user_id)
    return chats if chat else agent_load(user_id) - chats


class Decider:
    """One group's decisions inside one locked transaction; loads are kept up to date in
    memory as it assigns (the tally of this transaction's own moves is written at its end).

    Two loads per agent: open chats (weighed against the chat capacity) and their other open
    tickets (against the ticket capacity); a ticket is weighed by its own kind only.
    """

    def __init__(self, config: GroupAssignment, *, at: datetime.datetime) -> None:
        self.config = config
        self.candidates: list[Candidate] = available_agents(config.pk, at)
        self.chat_loads = group_chat_loads(config.pk) if self.candidates else {}
        self.loads = _without(group_loads(config.pk), self.chat_loads) if self.candidates else {}
        self.cursor = config.last_assigned_id
        self.assigned = 0

    def loads_of(self, *, chat: bool) -> dict[int, int]:
        return self.chat_loads if chat else self.loads

    def free_slots(self, *, chat: bool = False) -> int:
        """How many tickets (or chats) the available agents can still take (``DRAIN_BATCH``
        at most)."""
        loads, total = self.loads_of(chat=chat), 0
        for candidate in self.candidates:
            limit = limit_of(candidate, chat=chat)
            if limit is None:
                return DRAIN_BATCH
            total += max(limit - loads.get(candidate.user_id, 0), 0)
        return min(total, DRAIN_BATCH)

    def decide(self, facts: RoutingFacts, strategy: str) -> Candidate | None:
        """The agent for ``facts``'s ticket, capacity checked against the committed loads."""
        loads = self.loads_of(chat=facts.chat)
        pool = under_capacity(self.candidates, loads, chat=facts.chat)
        helper = None
        if strategy == Strategy.AFFINITY:
            helper = last_helper(facts.requester_id, exclude_ticket_id=facts.ticket_id)
        while pool:
            situation = Situation(
                facts=facts,
                candidates=pool,
                loads=loads,
                cursor=self.cursor,
                match_language=self.config.match_language,
                fallback=self.config.fallback,
                last_helper=helper,
            )
            chosen = choose(strategy, situation)
            limit = None if chosen is None else limit_of(chosen, chat=facts.chat)
            if chosen is None or limit is None:
                return chosen
            hold_agent(chosen.user_id)
            # What other groups committed for this agent while we waited for the lock.
            fresh = _fresh_load(chosen.user_id, chat=facts.chat)
            loads[chosen.user_id] = max(loads.get(chosen.user_id, 0), fresh)
            if loads[chosen.user_id] < limit:
                return chosen
            pool = [c for c in pool if c.user_id != chosen.user_id]
        return None

    def give(self, actor: Actor, ticket_id: int, agent: Candidate, *, chat: bool = False) -> bool:
        """Assign in a savepoint: a refusal (the agent just left the group…) leaves the ticket
        unassigned and the rest of the transaction intact."""
        try:
            with transaction.atomic():
                assign_ticket(actor, ticket_id=ticket_id, assignee_id=agent.user_id)
        except AtiendeError as refused:
            logger.info("assignment of ticket %s to %s refused: %s", ticket_id, agent, refused)
            return False
        loads = self.loads_of(chat=chat)
        loads[agent.user_id] = loads.get(agent.user_id, 0) + 1
        self.cursor = agent.user_id
        self.assigned += 1
        return True

    def save_cursor(self) -> None:
        if self.assigned and self.cursor != self.config.last_assigned_id:
            self.config.last_assigned_id = self.cursor
            self.config.save(update_fields=["last_assigned", "updated_at"])


def _decide(
    ticket_id: int, *, strategy: str | None, group_id: int | None
) -> tuple[Decider, Candidate, RoutingFacts] | None:
    """Inside the caller's transaction: lock the group's row and choose (no write yet)."""
    config = None
    if group_id is not None:
        config = _lock_config(group_id, create=strategy is not None)
        if config is None or (strategy or config.strategy) == Strategy.MANUAL:
            return None
    facts = routing_facts(ticket_id)
    if facts is None or facts.group_id is None or facts.assignee_id is not None:
        return None
    if not facts.active or (group_id is not None and facts.group_id != group_id):
        return None
    if facts.chat and waits_for_bot(ticket_id):
        return None  # the bot answers it still: its hand-over queues it (``ChatQueued``)
    if config is None:
        config = _lock_config(facts.group_id, create=strategy is not None)
    if config is None:
        return None
    strategy = strategy or config.strategy
    if strategy == Strategy.MANUAL:
        return None
    decider = Decider(config, at=timezone.now())
    chosen = decider.decide(facts, strategy)
    return (decider, chosen, facts) if chosen is not None else None


def assign(
    actor: Actor | None = None,
    *,
    ticket_id: int,
    strategy: str | None = None,
    group_id: int | None = None,
) -> int | None:
    """Assign an unassigned ticket by its group's strategy (or ``strategy``, for a rule's
    ``assign`` action); return the agent's id, or None when it stays unassigned (no group,
    manual, nobody available or everybody full: the backlog drain picks it up later).

    ``group_id``, when the caller knows it (a new ticket), lets a manual group cost one
    statement. No savepoint of its own: a refused write is kept apart by ``give``'s, and
    anything else fails the caller's transaction anyway (a new ticket's, in the subscriber).
    """
    with transaction.atomic(savepoint=False):
        decided = _decide(ticket_id, strategy=strategy, group_id=group_id)
        if decided is None:
            return None
        decider, chosen, facts = decided
        who = actor or assignment_actor(decider.config.pk)
        if not decider.give(who, ticket_id, chosen, chat=facts.chat):
            return None
        decider.save_cursor()
        return chosen.user_id


def preview(ticket_id: int, *, strategy: str | None = None) -> int | None:
    """Who ``assign`` would pick now, changing nothing (a dry run, the benchmark)."""
    with transaction.atomic():
        decided = _decide(ticket_id, strategy=strategy, group_id=None)
        transaction.set_rollback(True)
    return decided[1].user_id if decided is not None else None


def drain(group_id: int, *, actor: Actor | None = None) -> list[tuple[int, int]]:
    """Hand the group's unassigned backlog to its available agents, most urgent first
    (priority, then due, then oldest), up to their capacity; return (ticket, agent) pairs."""
    done: list[tuple[int, int]] = []
    with transaction.atomic():
        config = _lock_config(group_id, create=False)
        if config is None or config.strategy == Strategy.MANUAL:
            return done
        decider = Decider(config, at=timezone.now())
        who = actor or assignment_actor(group_id)
        # Chats and other tickets fill capacities of their own: each kind drains on its own.
        for chat in (False, True):
            slots = decider.free_slots(chat=chat)
            if slots:
                done += _drain_kind(decider, who, chat=chat, slots=slots)
        decider.save_cursor()
    return done


def _drain_kind(decider: Decider, who: Actor, *, chat: bool, slots: int) -> list[tuple[int, int]]:
    """Hand out the group's waiting chats (or its other tickets), most urgent first."""
    done: list[tuple[int, int]] = []
    # Chats the bot still answers are nobody's yet: left out before the limit is applied.
    held = bot_answers_ticket() if chat else None
    for ticket_id in unassigned_backlog(decider.config.pk, limit=slots, chat=chat, unless=held):
        facts = routing_facts(ticket_id)
        if facts is None or facts.assignee_id is not None:
            continue
        chosen = decider.decide(facts, decider.config.strategy)
        if chosen is None:
            break  # everybody is full
        if decider.give(who, ticket_id, chosen, chat=chat):
            done.append((ticket_id, chosen.user_id))
    return done


def drain_groups(group_ids: Sequence[int]) -> int:
    """Drain each group in its own transaction (one group's lock at a time)."""
    return sum(len(drain(group_id)) for group_id in group_ids)


def hand_over(user_id: int) -> int:
    """Unassign an absent agent's active tickets and give each to its group's strategy (left
    unassigned for a manual group); each ticket in its own transaction. Return how many."""
    moved = 0
    for ticket_id, group_id in assigned_active(user_id):
        actor = (
            assignment_actor(group_id)
            if group_id is not None
            else Actor(user=None, source=Source.RULE, detail="assignment:out-of-office")
        )
        try:
            with transaction.atomic():
                assign_ticket(actor, ticket_id=ticket_id, assignee_id=None)
                if group_id is not None:
                    assign(actor, ticket_id=ticket_id)
        except AtiendeError as refused:
            logger.warning("hand-over of ticket %s failed: %s", ticket_id, refused)
            continue
        moved += 1
    return moved

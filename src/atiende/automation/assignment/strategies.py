"""Choosing an agent: pure functions over the available candidates and their loads.

Every strategy sees only agents under their capacity, in id order, and the group's
round-robin cursor (the id of the agent assigned last): ties are broken by who comes next
after the cursor, so equal agents take turns across processes and restarts. A chat is
weighed apart: against the chat capacity, with the agents' open chats as their loads; any
other ticket against the ticket capacity, with their other open tickets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from atiende.accounts.selectors import Candidate
from atiende.automation.models import Strategy
from atiende.tickets.workload import RoutingFacts


@dataclass(frozen=True)
class Situation:
    """Everything a choice depends on, read before choosing."""

    facts: RoutingFacts
    candidates: Sequence[Candidate]  # available and under capacity, in id order
    loads: Mapping[int, int]
    cursor: int | None
    match_language: bool
    fallback: str
    last_helper: int | None = None


def limit_of(candidate: Candidate, *, chat: bool = False) -> int | None:
    """The capacity a ticket counts against: chats against the chat capacity, the rest
    against the ticket capacity (None: no limit)."""
    return candidate.chat_capacity if chat else candidate.capacity


def under_capacity(
    candidates: Sequence[Candidate], loads: Mapping[int, int], *, chat: bool = False
) -> list[Candidate]:
    """Those with room for one more; ``loads`` are of the same kind (chats, or other tickets)."""
    room = []
    for candidate in candidates:
        limit = limit_of(candidate, chat=chat)
        if limit is None or loads.get(candidate.user_id, 0) < limit:
            room.append(candidate)
    return room


def speaking(candidates: Sequence[Candidate], language: str) -> list[Candidate]:
    """Those who speak ``language``, or everyone when nobody available does (or it is unknown):
    a ticket is better answered by someone than by nobody."""
    if not language:
        return list(candidates)
    fluent = [c for c in candidates if language in c.languages]
    return fluent or list(candidates)


def _after(cursor: int | None, user_id: int) -> bool:
    """Whether ``user_id`` comes after the cursor in the round (the next turns)."""
    return cursor is None or user_id > cursor


def round_robin(candidates: Sequence[Candidate], cursor: int | None) -> Candidate | None:
    """The next agent after the one assigned last, wrapping around."""
    if not candidates:
        return None
    return next((c for c in candidates if _after(cursor, c.user_id)), candidates[0])


def least_load(
    candidates: Sequence[Candidate], loads: Mapping[int, int], cursor: int | None
) -> Candidate | None:
    """The agent with the fewest open tickets; among equals, the next in the round."""
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda c: (loads.get(c.user_id, 0), not _after(cursor, c.user_id), c.user_id),
    )


def skilled(candidates: Sequence[Candidate], facts: RoutingFacts) -> list[Candidate]:
    """Those covering most of the ticket's tags and category; everyone when nobody covers any."""

    def score(candidate: Candidate) -> int:
        covered = len(candidate.skill_tags & facts.tags)
        if facts.category_id is not None and facts.category_id in candidate.skill_categories:
            covered += 1
        return covered

    scores = {c.user_id: score(c) for c in candidates}
    best = max(scores.values(), default=0)
    if best == 0:
        return list(candidates)
    return [c for c in candidates if scores[c.user_id] == best]


def choose(strategy: str, situation: Situation) -> Candidate | None:
    """The agent ``strategy`` picks in ``situation``, or None (nobody available or free)."""
    if strategy == Strategy.AFFINITY:
        # The customer's last agent knows them (and their language) best, when free.
        helper = next((c for c in situation.candidates if c.user_id == situation.last_helper), None)
        if helper is not None:
            return helper
        strategy = situation.fallback
    candidates: Sequence[Candidate] = situation.candidates
    if situation.match_language:
        candidates = speaking(candidates, situation.facts.language)
    if strategy == Strategy.ROUND_ROBIN:
        return round_robin(candidates, situation.cursor)
    if strategy == Strategy.LEAST_LOAD:
        return least_load(candidates, situation.loads, situation.cursor)
    if strategy == Strategy.SKILLS:
        return least_load(skilled(candidates, situation.facts), situation.loads, situation.cursor)
    return None

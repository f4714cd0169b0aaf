"""Properties of the pure choice: whatever the team, nobody full is chosen, least load picks a
least-loaded agent, and round robin visits everyone before anyone twice."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from atiende.accounts.selectors import Candidate
from atiende.automation.assignment.strategies import Situation, choose, under_capacity
from atiende.tickets.workload import RoutingFacts

FACTS = RoutingFacts(
    ticket_id=1,
    group_id=1,
    assignee_id=None,
    requester_id=1,
    language="es",
    category_id=None,
    tags=frozenset({"vpn"}),
    active=True,
)

agents = st.lists(
    st.builds(
        Candidate,
        user_id=st.integers(1, 60),
        capacity=st.none() | st.integers(0, 5),
        languages=st.sampled_from([(), ("es",), ("en",), ("es", "en")]),
        skill_tags=st.sampled_from([frozenset(), frozenset({"vpn"}), frozenset({"mail"})]),
        skill_categories=st.just(frozenset()),
    ),
    min_size=0,
    max_size=12,
    unique_by=lambda c: c.user_id,
).map(lambda cs: sorted(cs, key=lambda c: c.user_id))


def situation(team: list[Candidate], loads: dict[int, int], cursor: int | None) -> Situation:
    return Situation(
        facts=FACTS,
        candidates=under_capacity(team, loads),
        loads=loads,
        cursor=cursor,
        match_language=True,
        fallback="least_load",
        last_helper=team[0].user_id if team else None,
    )


@given(
    team=agents,
    load_values=st.lists(st.integers(0, 6), min_size=12, max_size=12),
    cursor=st.none() | st.integers(0, 60),
    strategy=st.sampled_from(["round_robin", "least_load", "skills", "affinity"]),
)
def test_nobody_at_capacity_is_chosen_and_someone_is_when_anyone_has_room(
    team: list[Candidate], load_values: list[int], cursor: int | None, strategy: str
) -> None:
    loads = {c.user_id: load_values[i] for i, c in enumerate(team)}
    chosen = choose(strategy, situation(team, loads, cursor))
    room = [c for c in team if c.capacity is None or loads[c.user_id] < c.capacity]
    if not room:
        assert chosen is None
    else:
        assert chosen in room


@given(team=agents, load_values=st.lists(st.integers(0, 6), min_size=12, max_size=12))
def test_least_load_picks_a_least_loaded_speaker(
    team: list[Candidate], load_values: list[int]
) -> None:
    loads = {c.user_id: load_values[i] for i, c in enumerate(team)}
    chosen = choose("least_load", situation(team, loads, None))
    room = [c for c in team if c.capacity is None or loads[c.user_id] < c.capacity]
    speakers = [c for c in room if "es" in c.languages] or room
    if chosen is not None:
        assert loads[chosen.user_id] == min(loads[c.user_id] for c in speakers)


@given(team=agents.filter(lambda t: len(t) > 0), start=st.none() | st.integers(0, 60))
def test_round_robin_visits_everyone_before_anyone_twice(
    team: list[Candidate], start: int | None
) -> None:
    free = [Candidate(c.user_id, None, ("es",), c.skill_tags, c.skill_categories) for c in team]
    cursor, seen = start, []
    for _ in range(len(free)):
        chosen = choose("round_robin", situation(free, {}, cursor))
        assert chosen is not None
        seen.append(chosen.user_id)
        cursor = chosen.user_id
    assert sorted(seen) == [c.user_id for c in free]

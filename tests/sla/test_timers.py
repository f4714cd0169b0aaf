"""SLA timelines with a controllable clock: due in business time, pause and resume, warning,
breach and escalation levels each once, recomputation on priority, group and replies."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import override_settings

from atiende.accounts.services.groups import create_group, update_group
from atiende.core.event_types import SlaBreached, SlaEscalated, SlaWarning
from atiende.sla.models import SlaTimer
from atiende.sla.selectors import timers_of
from atiende.sla.services.sweep import sweep
from atiende.tickets import services
from atiende.tickets.models import Ticket, TicketEvent
from tests.factories import SYSTEM, make_agent, make_customer, make_ticket, web
from tests.sla.helpers import local, office, standard_policy, targets

pytestmark = pytest.mark.django_db
MONDAY_10 = local(2026, 12, 7, 10, 0)
NOTIFY = [{"type": "notify", "to": "supervisor", "text": "SLA"}]


def reload(ticket: Ticket) -> Ticket:
    from atiende.tickets.selectors import ticket_for_rules

    found = ticket_for_rules(ticket.pk)
    assert found is not None
    return found


def timer(ticket: Ticket, kind: str) -> SlaTimer:
    return next(t for t in timers_of(ticket.pk) if t.kind == kind)


def sla_events(published: list[Any], kind: type) -> list[Any]:
    return [e for e in published if isinstance(e, kind)]


def history(ticket: Ticket) -> list[tuple[str, str, str]]:
    return [
        (e.action, e.field, e.source_detail)
        for e in TicketEvent.objects.filter(ticket=ticket, action__startswith="sla_").order_by("id")
    ]


def test_due_times_are_computed_in_business_time_and_mirrored_on_the_ticket() -> None:
    office()
    standard_policy()
    with time_machine.travel(local(2026, 12, 4, 17, 30), tick=False):  # Friday 17:30
        ticket = make_ticket()
    ticket = reload(ticket)
    # 30 minutes on Friday, then 30 on Monday from 09:00.
    assert ticket.first_response_due_at == local(2026, 12, 7, 9, 30)
    # 8 business hours: 30 min Friday, Monday 09–13 and 14–17:30.
    assert ticket.resolution_due_at == local(2026, 12, 7, 17, 30)
    # The periodic update (240 min) is the earliest "next response" until a customer writes.
    assert ticket.next_response_due_at == local(2026, 12, 7, 12, 30)


def test_no_matching_policy_leaves_no_timers() -> None:
    office()
    standard_policy(conditions=[{"field": "priority", "op": "in", "value": ["urgent"]}])
    ticket = make_ticket()
    assert timers_of(ticket.pk) == []
    assert reload(ticket).first_response_due_at is None


def test_warning_breach_and_escalation_levels_happen_once_each(published: list[Any]) -> None:
    office()
    tier2 = create_group(SYSTEM, name="Tier 2")
    policy = standard_policy(
        escalations=[
            {
                "kind": "first_reply",
                "level": 1,
                "minutes": 0,
                "actions": [{"type": "notify", "to": "supervisor", "text": "!"}],
            },
            {
                "kind": "first_reply",
                "level": 2,
                "minutes": 30,
                "actions": [{"type": "set_group", "value": tier2.pk}],
            },
        ]
    )
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = make_ticket()
    assert timer(ticket, "first_reply").warn_at == local(2026, 12, 7, 10, 45)

    def at(*args: int) -> int:
        return sweep(now=local(*args))

    assert at(2026, 12, 7, 10, 44) == 0
    assert at(2026, 12, 7, 10, 46) == 1
    assert at(2026, 12, 7, 10, 50) == 0  # nothing new before the breach
    warnings = sla_events(published, SlaWarning)
    assert [(w.ticket_id, w.policy_id, w.target) for w in warnings] == [
        (ticket.pk, policy.pk, "first_reply")
    ]
    assert dt.datetime.fromisoformat(warnings[0].due_at) == local(2026, 12, 7, 11)
    assert at(2026, 12, 7, 11, 1) == 1
    assert at(2026, 12, 7, 11, 2) == 0
    assert len(sla_events(published, SlaBreached)) == 1
    escalated = sla_events(published, SlaEscalated)
    assert [(e.level, e.actions) for e in escalated] == [
        (1, ({"type": "notify", "to": "supervisor", "text": "!"},))
    ]
    assert at(2026, 12, 7, 11, 29) == 0
    assert at(2026, 12, 7, 11, 31) == 1
    assert at(2026, 12, 7, 12, 0) == 0
    assert [e.level for e in sla_events(published, SlaEscalated)] == [1, 2]
    detail = f"sla:{policy.pk}"
    assert history(ticket) == [
        ("sla_warning", "first_reply", detail),
        ("sla_breached", "first_reply", detail),
        ("sla_escalated", "first_reply", detail),
        ("sla_escalated", "first_reply", detail),
    ]
    breached = TicketEvent.objects.get(ticket=ticket, action="sla_breached")
    assert breached.source == "rule"
    assert breached.new_value["policy"]["name"] == "Standard"


def test_a_level_whose_group_was_deleted_later_is_skipped_with_a_note(published: list[Any]) -> None:
    office()
    tier2 = create_group(SYSTEM, name="Tier 2")
    standard_policy(
        escalations=[
            {
                "kind": "first_reply",
                "level": 1,
                "minutes": 0,
                "actions": [{"type": "set_group", "value": tier2.pk}],
            }
        ]
    )
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = make_ticket()
    update_group(SYSTEM, group_id=tier2.pk, changes={"is_active": False})
    sweep(now=local(2026, 12, 7, 11, 1))
    assert sla_events(published, SlaEscalated) == []
    skipped = TicketEvent.objects.get(ticket=ticket, action="sla_escalation_skipped")
    assert skipped.new_value["missing_groups"] == [tier2.pk]
    assert sweep(now=local(2026, 12, 7, 12)) == 0


def test_pending_pauses_the_clock_and_open_resumes_with_the_time_left() -> None:
    office()
    standard_policy()
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = make_ticket()
    # 8 business hours: Monday 10–13 and 14–18, then Tuesday 09–10.
    assert reload(ticket).resolution_due_at == local(2026, 12, 8, 10, 0)
    with time_machine.travel(local(2026, 12, 7, 11, 0), tick=False):
        services.change_status(SYSTEM, ticket_id=ticket.pk, status="pending")
    paused = reload(ticket)
    assert paused.resolution_due_at is None and paused.first_response_due_at is None
    assert timer(ticket, "resolution").used_seconds == 3600
    assert sweep(now=local(2026, 12, 8, 9)) == 0  # paused timers are never due
    with time_machine.travel(local(2026, 12, 8, 10, 0), tick=False):  # Tuesday
        services.change_status(SYSTEM, ticket_id=ticket.pk, status="open")
    # 7 business hours were left: Tuesday 10–13 and 14–18.
    assert reload(ticket).resolution_due_at == local(2026, 12, 8, 18, 0)
    # first reply had 60 min, 60 used → due at once.
    assert reload(ticket).first_response_due_at == local(2026, 12, 8, 10, 0)


@override_settings(ATIENDE_SLA_PAUSED_STATUSES=["delayed"])
def test_which_statuses_pause_is_a_setting() -> None:
    office()
    standard_policy()
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = make_ticket()
    with time_machine.travel(local(2026, 12, 7, 11), tick=False):
        services.change_status(SYSTEM, ticket_id=ticket.pk, status="pending")
    assert reload(ticket).resolution_due_at == local(2026, 12, 8, 10)
    with time_machine.travel(local(2026, 12, 7, 11), tick=False):
        services.change_status(SYSTEM, ticket_id=ticket.pk, status="delayed")
    assert reload(ticket).resolution_due_at is None


def test_a_priority_change_recomputes_the_due_times() -> None:
    office()
    standard_policy()
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = make_ticket()
    with time_machine.travel(local(2026, 12, 7, 10, 5), tick=False):
        services.update_ticket(
            SYSTEM, ticket_id=ticket.pk, version=None, changes={"priority": "urgent"}
        )
    ticket = reload(ticket)
    assert ticket.first_response_due_at == local(2026, 12, 7, 10, 15)
    assert ticket.resolution_due_at == local(2026, 12, 7, 12, 0)
    # urgent has no periodic-update target: that clock stops, and a reply does not restart it.
    assert ticket.next_response_due_at is None
    assert timer(ticket, "periodic_update").stopped_at is not None
    with time_machine.travel(local(2026, 12, 7, 10, 10), tick=False):
        services.reply(web(make_agent()), ticket_id=ticket.pk, body="On it")
    assert timer(ticket, "periodic_update").stopped_at is not None
    assert reload(ticket).next_response_due_at is None


def test_first_public_agent_reply_fulfils_first_reply_and_restarts_the_periodic_update() -> None:
    office()
    standard_policy()
    agent = make_agent()
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = make_ticket()
    with time_machine.travel(local(2026, 12, 7, 10, 20), tick=False):
        services.add_message(web(agent), ticket_id=ticket.pk, body="Internal", public=False)
    assert reload(ticket).first_response_due_at == local(2026, 12, 7, 11)  # a note is no reply
    with time_machine.travel(local(2026, 12, 7, 10, 30), tick=False):
        services.reply(web(agent), ticket_id=ticket.pk, body="Looking into it")
    ticket = reload(ticket)
    assert ticket.first_response_due_at is None
    assert timer(ticket, "first_reply").fulfilled_at == local(2026, 12, 7, 10, 30)
    # 240 business minutes from 10:30: 10:30–13:00 and 14:00–15:30.
    assert ticket.next_response_due_at == local(2026, 12, 7, 15, 30)
    assert sweep(now=local(2026, 12, 7, 11, 5)) == 0  # no first-reply breach any more


def test_a_customer_message_after_the_reply_starts_next_reply() -> None:
    office()
    standard_policy()
    agent = make_agent()
    customer = make_customer()
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = make_ticket(customer)
    with time_machine.travel(local(2026, 12, 7, 10, 30), tick=False):
        services.reply(web(agent), ticket_id=ticket.pk, body="Which model?")
    with time_machine.travel(local(2026, 12, 7, 11, 30), tick=False):
        services.add_message(web(customer), ticket_id=ticket.pk, body="The X200")
    # 120 business minutes: 11:30–13:00, lunch, 14:00–14:30.
    assert timer(ticket, "next_reply").due_at == local(2026, 12, 7, 14, 30)
    assert reload(ticket).next_response_due_at == local(2026, 12, 7, 14, 30)
    with time_machine.travel(local(2026, 12, 7, 12, 0), tick=False):
        services.reply(web(agent), ticket_id=ticket.pk, body="Thanks")
    assert timer(ticket, "next_reply").fulfilled_at == local(2026, 12, 7, 12, 0)
    # The reply restarted the periodic update: 240 minutes from 12:00.
    assert reload(ticket).next_response_due_at == local(2026, 12, 7, 17, 0)


def test_solving_fulfils_resolution_and_stops_the_rest() -> None:
    office()
    standard_policy()
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = make_ticket()
    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        services.change_status(SYSTEM, ticket_id=ticket.pk, status="solved")
    ticket = reload(ticket)
    assert (
        ticket.first_response_due_at,
        ticket.next_response_due_at,
        ticket.resolution_due_at,
    ) == (None, None, None)
    assert timer(ticket, "resolution").fulfilled_at == local(2026, 12, 7, 12)
    assert timer(ticket, "first_reply").stopped_at == local(2026, 12, 7, 12)
    assert sweep(now=local(2026, 12, 9)) == 0


def test_a_group_change_rematches_a_different_policy() -> None:
    office()
    vip = create_group(SYSTEM, name="VIP desk")
    standard_policy(order=10)
    fast = standard_policy(
        name="VIP",
        order=1,
        conditions=[{"field": "group", "op": "in", "value": [vip.pk]}],
        targets=targets("normal", first_reply=10, resolution=60),
    )
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = make_ticket()
    assert reload(ticket).first_response_due_at == local(2026, 12, 7, 11)
    with time_machine.travel(local(2026, 12, 7, 10, 5), tick=False):
        services.update_ticket(
            SYSTEM, ticket_id=ticket.pk, version=None, changes={"group_id": vip.pk}
        )
    ticket = reload(ticket)
    assert timer(ticket, "first_reply").policy_id == fast.pk
    # Counted from the ticket's creation: 10:00 + 10 minutes.
    assert ticket.first_response_due_at == local(2026, 12, 7, 10, 10)
    assert ticket.resolution_due_at == local(2026, 12, 7, 11)


def test_calendar_time_targets_ignore_business_hours() -> None:
    office()
    from atiende.sla.services.policies import create_policy

    create_policy(
        SYSTEM,
        name="24/7",
        targets=[
            {"priority": "normal", "kind": "first_reply", "minutes": 120, "business_hours": False}
        ],
    )
    with time_machine.travel(local(2026, 12, 4, 17, 30), tick=False):
        ticket = make_ticket()
    assert reload(ticket).first_response_due_at == local(2026, 12, 4, 19, 30)


def test_the_groups_calendar_is_used_when_the_policy_names_none() -> None:
    office()
    from atiende.sla.services.calendars import create_calendar, set_group_calendar

    night = create_calendar(
        SYSTEM,
        name="Night shift",
        time_zone="America/Santiago",
        hours={"monday": [["20:00", "24:00"]]},
    )
    group = create_group(SYSTEM, name="Night")
    set_group_calendar(SYSTEM, group_id=group.pk, calendar_id=night.pk)
    standard_policy()
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = make_ticket(group_id=group.pk)
    assert reload(ticket).first_response_due_at == local(2026, 12, 7, 21, 0)


def test_two_sweeps_never_announce_a_step_twice(published: list[Any]) -> None:
    office()
    standard_policy()
    with time_machine.travel(MONDAY_10, tick=False):
        tickets = [make_ticket() for _ in range(3)]
    later = local(2026, 12, 7, 11, 1)
    assert sweep(now=later, batch=2) == 2
    assert sweep(now=later, batch=2) == 1
    assert sweep(now=later) == 0
    assert sorted(e.ticket_id for e in sla_events(published, SlaBreached)) == sorted(
        t.pk for t in tickets
    )


def test_sweep_task_runs_the_sweep() -> None:
    from atiende.sla.tasks import sweep_sla_timers

    office()
    standard_policy()
    with time_machine.travel(MONDAY_10, tick=False):
        make_ticket()
    with time_machine.travel(local(2026, 12, 7, 11, 1), tick=False):
        assert sweep_sla_timers.call() == 1


def test_deleting_a_ticket_deletes_its_timers() -> None:
    office()
    standard_policy()
    ticket = make_ticket()
    assert timers_of(ticket.pk)
    services.delete_ticket(SYSTEM, ticket_id=ticket.pk)
    assert timers_of(ticket.pk) == []


@pytest.mark.parametrize(
    ("kind", "minutes", "due"),
    [
        ("first_reply", 60, local(2026, 12, 7, 11, 0)),
        ("next_reply", 120, local(2026, 12, 7, 14, 30)),  # starts at the customer's 11:30
        ("periodic_update", 240, local(2026, 12, 7, 15, 30)),  # restarted by the 10:30 reply
        ("resolution", 480, local(2026, 12, 8, 10, 0)),
    ],
)
def test_each_target_warns_breaches_and_escalates_at_its_instants(
    kind: str, minutes: int, due: dt.datetime, published: list[Any]
) -> None:
    """Levels before the breach (-10), at it (0) and after it (+60 business minutes)."""
    from atiende.sla.services.policies import create_policy

    office()
    create_policy(
        SYSTEM,
        name="One target",
        warning_minutes=20,
        targets=targets("normal", **{kind: minutes}),
        escalations=[
            {"kind": kind, "level": 1, "minutes": -10, "actions": NOTIFY},
            {"kind": kind, "level": 2, "minutes": 0, "actions": NOTIFY},
            {"kind": kind, "level": 3, "minutes": 60, "actions": NOTIFY},
        ],
    )
    agent, customer = make_agent(), make_customer()
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = make_ticket(customer)
    if kind in ("next_reply", "periodic_update"):
        with time_machine.travel(local(2026, 12, 7, 10, 30), tick=False):
            services.reply(web(agent), ticket_id=ticket.pk, body="On it")
    if kind == "next_reply":
        with time_machine.travel(local(2026, 12, 7, 11, 30), tick=False):
            services.add_message(web(customer), ticket_id=ticket.pk, body="Any news?")
    assert timer(ticket, kind).due_at == due
    minute = dt.timedelta(minutes=1)
    warning = timer(ticket, kind).warn_at
    before = [at for level, at in timer(ticket, kind).levels_at if level == 1]
    after = [at for level, at in timer(ticket, kind).levels_at if level == 3]
    assert warning is not None
    steps = [
        (warning - minute, []),
        (warning + minute, ["sla_warning"]),
        (dt.datetime.fromisoformat(before[0]) + minute, ["sla_escalated"]),
        (due - minute, []),
        (due + minute, ["sla_breached", "sla_escalated"]),
        (dt.datetime.fromisoformat(after[0]) - minute, []),
        (dt.datetime.fromisoformat(after[0]) + minute, ["sla_escalated"]),
        (due + dt.timedelta(days=30), []),
    ]
    for now, expected in steps:
        seen = len(history(ticket))
        sweep(now=now)
        assert [action for action, _f, _d in history(ticket)[seen:]] == expected, now
    assert [e.level for e in sla_events(published, SlaEscalated)] == [1, 2, 3]
    assert len(sla_events(published, SlaWarning)) == len(sla_events(published, SlaBreached)) == 1


def test_the_ticket_page_lists_each_clock_with_its_policy_and_state() -> None:
    from atiende.sla.selectors import ticket_timers

    office()
    policy = standard_policy()
    agent = make_agent()
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = make_ticket()
    with time_machine.travel(local(2026, 12, 7, 10, 30), tick=False):
        services.reply(web(agent), ticket_id=ticket.pk, body="Hello")
    sweep(now=local(2026, 12, 8, 10, 1))  # resolution breached
    views = ticket_timers(ticket.pk)
    assert [(v.kind, v.state, v.breached) for v in views] == [
        ("periodic_update", "running", True),
        ("resolution", "running", True),
        ("first_reply", "fulfilled", False),
    ]
    assert {v.policy_name for v in views} == {policy.name}
    assert views[1].label == "Resolution" and views[1].due_at == local(2026, 12, 8, 10)


def test_a_deactivated_policy_announces_nothing_and_the_next_event_rematches(
    published: list[Any],
) -> None:
    from atiende.sla.services.policies import update_policy

    office()
    policy = standard_policy()
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = make_ticket()
    update_policy(SYSTEM, policy_id=policy.pk, changes={"is_active": False})
    assert sweep(now=local(2026, 12, 7, 11, 1)) == 1
    assert sla_events(published, SlaWarning) == sla_events(published, SlaBreached) == []
    assert sweep(now=local(2026, 12, 7, 12)) == 0
    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        services.update_ticket(
            SYSTEM, ticket_id=ticket.pk, version=None, changes={"priority": "high"}
        )
    assert all(t.stopped_at is not None for t in timers_of(ticket.pk))
    assert reload(ticket).first_response_due_at is None


def test_reopening_a_solved_ticket_starts_a_new_resolution_clock() -> None:
    office()
    standard_policy()
    customer = make_customer()
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = make_ticket(customer)
    with time_machine.travel(local(2026, 12, 7, 11), tick=False):
        services.change_status(SYSTEM, ticket_id=ticket.pk, status="solved")
    assert reload(ticket).resolution_due_at is None
    with time_machine.travel(local(2026, 12, 7, 15), tick=False):
        services.add_message(web(customer), ticket_id=ticket.pk, body="Still broken")
    ticket = reload(ticket)
    # The customer's message reopened it: 8 business hours from Monday 15:00.
    assert ticket.resolution_due_at == local(2026, 12, 8, 15)
    # No first reply was given, so the customer's message starts next reply now (120 min),
    # before the periodic update that restarted too (240 min).
    assert ticket.next_response_due_at == local(2026, 12, 7, 17)
    assert timer(ticket, "periodic_update").due_at == local(2026, 12, 8, 10)


def test_the_history_tells_each_sla_step_in_words() -> None:
    from atiende.web.ticket.history import describe

    office()
    tier2 = create_group(SYSTEM, name="Tier 2")
    standard_policy(
        escalations=[
            {
                "kind": "first_reply",
                "level": 1,
                "minutes": 0,
                "actions": [{"type": "set_group", "value": tier2.pk}],
            },
        ]
    )
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = make_ticket()
    sweep(now=local(2026, 12, 7, 10, 50))
    update_group(SYSTEM, group_id=tier2.pk, changes={"is_active": False})
    sweep(now=local(2026, 12, 7, 11, 1))
    events = TicketEvent.objects.filter(ticket=ticket, action__startswith="sla_").order_by("id")
    assert [describe(e) for e in events] == [
        "First reply target is about to be breached (policy “Standard”)",
        "First reply target breached (policy “Standard”)",
        "First reply escalation level 1 skipped: its group no longer exists (policy “Standard”)",
    ]


def test_the_per_event_cost_is_a_few_indexed_statements() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost(ticket: Ticket, priority: str) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            services.update_ticket(
                SYSTEM, ticket_id=ticket.pk, version=None, changes={"priority": priority}
            )
        return [q["sql"] for q in captured.captured_queries]

    plain = cost(make_ticket(), "high")
    office()
    standard_policy()
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = make_ticket()
        cost(make_ticket(), "low")  # warms the per-process snapshot of policies and calendars
        with_sla = cost(ticket, "urgent")
    extra = [sql for sql in with_sla if "sla_" in sql or "first_response_due_at" in sql]
    # The ticket and its timers read, the three re-targeted timers and the due times written.
    assert len(with_sla) - len(plain) <= 4, "\n".join(s[:80] for s in with_sla)
    assert all("WHERE" in sql for sql in extra)


@pytest.mark.parametrize(
    ("clause", "covered", "left"),
    [
        ({"field": "channel", "op": "in", "value": ["chat", "whatsapp"]}, "whatsapp", "email"),
        ({"field": "channel", "op": "not_in", "value": ["email"]}, "web", "email"),
        ({"field": "priority", "op": "in", "value": ["normal"]}, "email", None),
    ],
)
def test_a_new_ticket_gets_timers_only_from_a_policy_its_channel_lets_in(
    clause: dict[str, Any], covered: str, left: str | None
) -> None:
    """A new ticket whose channel no policy lets in skips the SLA read entirely; one that a
    policy may cover is matched as always (the rest of the conditions still decide)."""
    office()
    standard_policy(conditions=[clause])
    assert timers_of(make_ticket(channel=covered, priority="normal").pk)
    if left is not None:
        ticket = make_ticket(channel=left, priority="normal")
        assert timers_of(ticket.pk) == []
        assert reload(ticket).first_response_due_at is None

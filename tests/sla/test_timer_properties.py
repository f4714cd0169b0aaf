"""A property of the resolution clock: however a ticket goes in and out of a paused status,
the business time it spent unpaused up to its due time is exactly the target."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atiende.sla.models import SlaPolicy
from atiende.sla.selectors import calendar_for_group, timers_of
from atiende.tickets import services
from tests.factories import SYSTEM, make_ticket
from tests.sla.helpers import local, office, standard_policy

pytestmark = pytest.mark.django_db
TARGET = dt.timedelta(minutes=480)  # the standard policy's resolution for "normal"


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(gaps=st.lists(st.integers(min_value=1, max_value=3000), min_size=1, max_size=6))
def test_unpaused_business_time_up_to_the_due_time_is_the_target(gaps: list[int]) -> None:
    if not SlaPolicy.objects.exists():  # the database is shared by the examples
        office()
        standard_policy()
    start = local(2026, 12, 7, 10, 0)
    with time_machine.travel(start, tick=False):
        ticket = make_ticket()
    at, paused = start, False
    segments: list[tuple[dt.datetime, dt.datetime]] = []  # unpaused, before the last resume
    for gap in gaps + ([1] if len(gaps) % 2 else []):  # always end unpaused
        moment = at + dt.timedelta(minutes=gap)
        if not paused:
            segments.append((at, moment))
        with time_machine.travel(moment, tick=False):
            services.change_status(
                SYSTEM, ticket_id=ticket.pk, status="open" if paused else "pending"
            )
        at, paused = moment, not paused
    calendar = calendar_for_group(None)
    used = sum((calendar.business_time_between(s, e) for s, e in segments), dt.timedelta())
    [resolution] = [t for t in timers_of(ticket.pk) if t.kind == "resolution"]
    assert resolution.paused_at is None and resolution.due_at is not None
    if used >= TARGET:
        assert resolution.due_at == at  # already past its budget when it resumed
    else:
        assert used + calendar.business_time_between(at, resolution.due_at) == TARGET

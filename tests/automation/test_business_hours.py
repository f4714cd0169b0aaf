"""Rules, auto-replies and assignment ask one place whether a group's team is open: the sla
app's calendars (the group's, else the default, else around the clock)."""

from __future__ import annotations

import pytest

from atiende.automation import business_hours
from atiende.sla.services.calendars import create_calendar, set_group_calendar
from tests.factories import SYSTEM, make_group
from tests.sla.helpers import local, office

pytestmark = pytest.mark.django_db
FRIDAY_EVENING = local(2026, 12, 4, 19, 0)


def test_without_a_calendar_every_group_is_always_open() -> None:
    assert business_hours.is_open(None, FRIDAY_EVENING)
    assert business_hours.next_opening(make_group().pk, FRIDAY_EVENING) == FRIDAY_EVENING


def test_the_default_calendar_answers_for_every_group_without_one() -> None:
    office()  # Santiago, weekdays 09:00–13:00 and 14:00–18:00
    group = make_group()
    assert not business_hours.is_open(None, FRIDAY_EVENING)
    assert not business_hours.is_open(group.pk, FRIDAY_EVENING)
    assert business_hours.next_opening(group.pk, FRIDAY_EVENING) == local(2026, 12, 7, 9, 0)
    assert business_hours.is_open(group.pk, local(2026, 12, 7, 9, 30))


def test_a_groups_own_calendar_wins_over_the_default() -> None:
    office()
    night_shift = create_calendar(
        SYSTEM,
        name="Guardia nocturna",
        time_zone="America/Santiago",
        hours={"friday": [["18:00", "24:00"]]},
    )
    group = make_group()
    set_group_calendar(SYSTEM, group_id=group.pk, calendar_id=night_shift.pk)
    assert business_hours.is_open(group.pk, FRIDAY_EVENING)
    assert not business_hours.is_open(None, FRIDAY_EVENING)

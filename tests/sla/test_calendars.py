"""Calendar arithmetic: split shifts, holidays, daylight-saving changes, and its properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atiende.core.errors import Invalid
from atiende.sla.calendars import BusinessCalendar

UTC = dt.UTC
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
SPLIT = {day: [["09:00", "13:00"], ["14:00", "18:00"]] for day in WEEKDAYS}
ALL_DAY = {
    day: [["00:00", "24:00"]]
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
}


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def santiago(**extra: object) -> BusinessCalendar:
    return BusinessCalendar.build(time_zone="America/Santiago", hours=SPLIT, **extra)  # type: ignore[arg-type]


def fields(invalid: Invalid) -> list[str]:
    return [error.field for error in invalid.errors]


# --- split shifts and holidays ------------------------------------------------------------


def test_split_shift_skips_the_lunch_break() -> None:
    calendar = santiago()
    # Monday 2026-12-07 12:30 in Santiago (UTC-3 in summer) is 15:30 UTC.
    start = utc(2026, 12, 7, 15, 30)
    assert calendar.add_business_minutes(start, 30) == utc(2026, 12, 7, 16, 0)  # 13:00 local
    assert calendar.add_business_minutes(start, 31) == utc(2026, 12, 7, 17, 1)  # 14:01 local
    assert not calendar.is_open(utc(2026, 12, 7, 16, 30))
    assert calendar.next_opening(utc(2026, 12, 7, 16, 30)) == utc(2026, 12, 7, 17, 0)
    assert calendar.business_minutes_between(start, utc(2026, 12, 7, 17, 30)) == 60


def test_end_of_day_carries_over_to_the_next_open_day() -> None:
    calendar = santiago()
    friday_evening = utc(2026, 12, 4, 20, 30)  # 17:30 local
    # 30 minutes on Friday, then Monday 09:00 + 30.
    assert calendar.add_business_minutes(friday_evening, 60) == utc(2026, 12, 7, 12, 30)
    assert calendar.next_opening(utc(2026, 12, 5, 15)) == utc(2026, 12, 7, 12)


def test_a_single_date_holiday_closes_the_day() -> None:
    calendar = santiago(dates=[dt.date(2026, 12, 7)])
    assert not calendar.is_open(utc(2026, 12, 7, 13))
    # No country is set, so Tuesday the 8th (a Chilean holiday) is open at 09:00 (12:00 UTC).
    assert calendar.next_opening(utc(2026, 12, 7, 13)) == utc(2026, 12, 8, 12)


def test_a_yearly_holiday_closes_that_day_every_year() -> None:
    calendar = santiago(yearly=[(12, 24)])
    for year in (2026, 2027, 2030):
        noon = dt.datetime(year, 12, 24, 12, tzinfo=dt.timezone(dt.timedelta(hours=-3)))
        assert (noon.weekday() >= 5) or not calendar.is_open(noon)
    assert calendar.is_open(
        dt.datetime(2026, 12, 23, 12, tzinfo=dt.timezone(dt.timedelta(hours=-3)))
    )


def test_chilean_public_holidays_from_the_holidays_package() -> None:
    calendar = santiago(country="CL")
    # 2026-12-08 (Tuesday): Inmaculada Concepción, a public holiday in Chile.
    assert not calendar.is_open(utc(2026, 12, 8, 13))
    assert calendar.next_opening(utc(2026, 12, 7, 22)) == utc(2026, 12, 9, 12)
    # 2026-09-18 and 19: Fiestas Patrias.
    assert not calendar.is_open(utc(2026, 9, 18, 14))


@pytest.mark.parametrize("country", ["CL", "MX", "AR", "CO", "PE", "ES", "US"])
def test_each_named_country_is_known(country: str) -> None:
    calendar = BusinessCalendar.build(time_zone="UTC", hours=SPLIT, country=country)
    # 1 January is a public holiday everywhere on the list.
    assert calendar.is_holiday(dt.date(2027, 1, 1))


def test_a_subdivision_adds_its_own_holidays() -> None:
    national = BusinessCalendar.build(time_zone="Europe/Madrid", hours=SPLIT, country="ES")
    madrid = BusinessCalendar.build(
        time_zone="Europe/Madrid", hours=SPLIT, country="ES", subdivision="MD"
    )
    # 2 May: Fiesta de la Comunidad de Madrid (2025 is a Friday).
    assert madrid.is_holiday(dt.date(2025, 5, 2))
    assert not national.is_holiday(dt.date(2025, 5, 2))


# --- daylight-saving changes --------------------------------------------------------------


def test_santiago_april_fall_back_gives_a_25_hour_saturday() -> None:
    calendar = BusinessCalendar.build(time_zone="America/Santiago", hours=ALL_DAY)
    saturday = utc(2026, 4, 4, 3)  # 00:00 local (UTC-3)
    sunday = utc(2026, 4, 5, 4)  # 00:00 local (UTC-4 after the change)
    assert calendar.business_minutes_between(saturday, sunday) == 25 * 60
    weekdays = BusinessCalendar.build(
        time_zone="America/Santiago", hours={"saturday": [["09:00", "18:00"]]}
    )
    # A Saturday-only calendar: the day after (Sunday) is closed, so the next Saturday opens
    # at 09:00 UTC-4.
    assert weekdays.next_opening(utc(2026, 4, 4, 22)) == utc(2026, 4, 11, 13)


def test_santiago_september_spring_forward_gives_a_23_hour_sunday() -> None:
    calendar = BusinessCalendar.build(time_zone="America/Santiago", hours=ALL_DAY)
    sunday = utc(2026, 9, 6, 4)  # 00:00 local (UTC-4) — that wall time does not exist
    monday = utc(2026, 9, 7, 3)  # 00:00 local (UTC-3)
    assert calendar.business_minutes_between(sunday, monday) == 23 * 60
    nine_to_six = BusinessCalendar.build(time_zone="America/Santiago", hours=SPLIT)
    # Friday 4 Sep 17:00 (UTC-4) + 2 business hours: 1 h Friday, then Monday 7 Sep 09:00
    # (now UTC-3) + 1 h = 13:00 UTC.
    assert nine_to_six.add_business_minutes(utc(2026, 9, 4, 21), 120) == utc(2026, 9, 7, 13)


def test_madrid_march_and_october() -> None:
    calendar = BusinessCalendar.build(time_zone="Europe/Madrid", hours=ALL_DAY)
    assert calendar.business_minutes_between(utc(2026, 3, 28, 23), utc(2026, 3, 29, 22)) == 23 * 60
    assert (
        calendar.business_minutes_between(utc(2026, 10, 24, 22), utc(2026, 10, 25, 23)) == 25 * 60
    )
    office = BusinessCalendar.build(
        time_zone="Europe/Madrid", hours={day: [["09:00", "18:00"]] for day in WEEKDAYS}
    )
    # Friday 27 March 09:00 CET (08:00 UTC) + 10 h: 9 h Friday, then Monday 30 March 09:00
    # CEST (07:00 UTC) + 1 h.
    assert office.add_business_minutes(utc(2026, 3, 27, 8), 600) == utc(2026, 3, 30, 8)


def test_a_change_inside_opening_hours_counts_real_time() -> None:
    # A calendar open 00:00–04:00 on Sundays in Madrid: on 29 March the clocks jump from 02:00
    # to 03:00, so that night holds 3 real hours of business time, not 4.
    calendar = BusinessCalendar.build(
        time_zone="Europe/Madrid", hours={"sunday": [["00:00", "04:00"]]}
    )
    assert calendar.business_minutes_between(utc(2026, 3, 28, 12), utc(2026, 3, 30)) == 180
    assert calendar.business_minutes_between(utc(2026, 10, 24, 12), utc(2026, 10, 26)) == 300


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        santiago().is_open(dt.datetime(2026, 12, 7, 12))


def test_no_calendar_is_calendar_time() -> None:
    always = BusinessCalendar.always_open()
    start = utc(2026, 12, 5, 23, 59)
    assert always.add_business_minutes(start, 90) == start + dt.timedelta(minutes=90)
    assert always.is_open(start)


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "part"),
    [
        ({"hours": {"monday": [["09:00", "13:00"], ["12:00", "18:00"]]}}, "hours.monday[1]"),
        ({"hours": {"tuesday": [["18:00", "09:00"]]}}, "hours.tuesday[0]"),
        ({"hours": {"monday": [["9am", "18:00"]]}}, "hours.monday[0]"),
        ({"hours": {"funday": [["09:00", "18:00"]]}}, "hours.funday"),
        ({"hours": {}}, "hours"),
        ({"hours": {"monday": []}}, "hours"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"country": "XX"}, "holidays.country"),
        ({"country": "CL", "subdivision": "ZZ"}, "holidays.subdivision"),
    ],
)
def test_bad_calendars_are_refused_naming_the_part(kwargs: dict[str, object], part: str) -> None:
    values: dict[str, object] = {"time_zone": "America/Santiago", "hours": SPLIT, **kwargs}
    with pytest.raises(Invalid) as caught:
        BusinessCalendar.build(**values)  # type: ignore[arg-type]
    assert part in fields(caught.value)


# --- properties ---------------------------------------------------------------------------

CALENDARS = [
    santiago(country="CL"),
    BusinessCalendar.build(
        time_zone="Europe/Madrid",
        hours={
            **{d: [["08:00", "14:00"], ["15:30", "19:00"]] for d in WEEKDAYS},
            "saturday": [["00:00", "04:00"]],
        },
        country="ES",
        yearly=[(12, 24)],
    ),
    BusinessCalendar.build(time_zone="America/Santiago", hours=ALL_DAY),
    BusinessCalendar.build(time_zone="America/Mexico_City", hours={"sunday": [["01:30", "03:00"]]}),
]
instants = st.datetimes(
    min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2028, 12, 31), timezones=st.just(UTC)
)
calendars = st.sampled_from(CALENDARS)


@settings(max_examples=300, deadline=None)
@given(calendar=calendars, start=instants, minutes=st.integers(min_value=0, max_value=20_000))
def test_adding_then_measuring_gives_the_same_minutes(
    calendar: BusinessCalendar, start: dt.datetime, minutes: int
) -> None:
    due = calendar.add_business_minutes(start, minutes)
    assert calendar.business_minutes_between(start, due) == minutes
    assert calendar.business_time_between(start, due) == dt.timedelta(minutes=minutes)


@settings(max_examples=300, deadline=None)
@given(calendar=calendars, start=instants, minutes=st.integers(min_value=0, max_value=20_000))
def test_a_due_time_never_falls_in_closed_hours(
    calendar: BusinessCalendar, start: dt.datetime, minutes: int
) -> None:
    due = calendar.add_business_minutes(start, minutes)
    ends = {end for day in _days_around(due) for _s, end in calendar.day_intervals(day)}
    assert calendar.is_open(due) or due in ends


@settings(max_examples=300, deadline=None)
@given(calendar=calendars, at=instants)
def test_next_opening_is_open_and_nothing_open_comes_before_it(
    calendar: BusinessCalendar, at: dt.datetime
) -> None:
    opening = calendar.next_opening(at)
    assert opening >= at
    assert calendar.is_open(opening)
    assert calendar.business_time_between(at, opening) == dt.timedelta(0)


def _days_around(at: dt.datetime) -> list[dt.date]:
    day = at.date()
    return [day - dt.timedelta(days=1), day, day + dt.timedelta(days=1)]

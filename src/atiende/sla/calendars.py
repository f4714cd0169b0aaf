"""Business-calendar arithmetic: open hours in a time zone, minus holidays.

``BusinessCalendar`` is an immutable value that SLA timers, auto-replies and assignment ask
"is it open?", "when does it open next?", "what instant is N business minutes after this one?"
and "how much business time lies between these two instants?".

How time is measured, and why:

- Weekly hours are wall-clock intervals per weekday in the calendar's time zone (several a day
  for split shifts), half-open ``[start, end)``; ``24:00`` may end a day. Each day's intervals
  are turned into UTC instants one by one, so daylight-saving changes are exact.
- **Business time is real elapsed time inside the open intervals.** A 09:00–18:00 day on which
  the clocks change at 09:30 holds 8 or 10 real hours, not 9: a customer who waits from 09:00
  to 18:00 that day waited that long. A wall time that does not exist (the spring-forward gap)
  maps forward as ``zoneinfo`` does (``fold=0``); a repeated one takes its first occurrence.
- Holidays close a whole local day: single dates, yearly dates (month/day) and a country's
  public holidays from the ``holidays`` package (optionally one subdivision), computed once per
  country, subdivision and year.
- Nothing iterates minute by minute: the arithmetic walks days and their intervals.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import holidays as holidays_package
from django.utils.translation import gettext as _

from atiende.core.errors import ErrorCollector

UTC = dt.UTC
DAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
MINUTES_A_DAY = 24 * 60
# A calendar with hours but every day a holiday for this long is treated as never opening.
SEARCH_LIMIT_DAYS = 3 * 366
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")

Interval = tuple[int, int]  # (start, end) in minutes after local midnight; end may be 1440


class NeverOpens(Exception):
    """The calendar has no open interval in the next ``SEARCH_LIMIT_DAYS`` days."""


@functools.lru_cache(maxsize=512)
def public_holidays(country: str, subdivision: str, year: int) -> frozenset[dt.date]:
    """A country's (and subdivision's) public holidays in ``year``, computed once per process."""
    found = holidays_package.country_holidays(country, subdiv=subdivision or None, years=year)
    return frozenset(found.keys())


@functools.lru_cache(maxsize=1)
def _supported_countries() -> dict[str, list[str]]:
    return dict(holidays_package.list_supported_countries())


@functools.lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


@dataclass(frozen=True)
class BusinessCalendar:
    """Open hours per weekday (0 = Monday) in ``time_zone``, closed on the holidays."""

    time_zone: str
    hours: tuple[tuple[Interval, ...], ...]  # seven entries, Monday first
    dates: frozenset[dt.date] = frozenset()
    yearly: frozenset[tuple[int, int]] = frozenset()  # (month, day)
    country: str = ""
    subdivision: str = ""
    _days: dict[dt.date, tuple[tuple[dt.datetime, dt.datetime], ...]] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    # --- building -------------------------------------------------------------------------

    @classmethod
    def always_open(cls) -> BusinessCalendar:
        """Calendar time: open every minute of every day (no calendar configured)."""
        return ALWAYS

    @classmethod
    def build(
        cls,
        *,
        time_zone: str,
        hours: Mapping[str, Any],
        dates: Sequence[dt.date] = (),
        yearly: Sequence[tuple[int, int]] = (),
        country: str = "",
        subdivision: str = "",
    ) -> BusinessCalendar:
        """A validated calendar; ``Invalid`` names each bad part (``hours.monday[1]``,
        ``time_zone``, ``holidays.country``…) and nothing is built."""
        errors = ErrorCollector()
        check_time_zone(time_zone, errors)
        week = parse_hours(hours, errors)
        check_country(country, subdivision, errors)
        errors.raise_if_any()
        return cls(
            time_zone=time_zone,
            hours=week,
            dates=frozenset(dates),
            yearly=frozenset((int(m), int(d)) for m, d in yearly),
            country=country.upper(),
            subdivision=subdivision.upper(),
        )

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.time_zone)

    @property
    def is_always_open(self) -> bool:
        return self is ALWAYS or (
            not self.dates
            and not self.yearly
            and not self.country
            and all(day == ((0, MINUTES_A_DAY),) for day in self.hours)
        )

    # --- days -----------------------------------------------------------------------------

    def is_holiday(self, day: dt.date) -> bool:
        if day in self.dates or (day.month, day.day) in self.yearly:
            return True
        return bool(self.country) and day in public_holidays(
            self.country, self.subdivision, day.year
        )

    def day_intervals(self, day: dt.date) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
        """The open intervals of local date ``day`` as UTC instants (none on a holiday)."""
        cached = self._days.get(day)
        if cached is not None:
            return cached
        result: list[tuple[dt.datetime, dt.datetime]] = []
        if not self.is_holiday(day):
            zone = self.zone
            for start, end in self.hours[day.weekday()]:
                start_at = _local(day, start, zone)
                end_at = _local(day, end, zone)
                if start_at < end_at:
                    result.append((start_at, end_at))
        value = tuple(result)
        if len(self._days) > 4096:
            self._days.clear()
        self._days[day] = value
        return value

    def _local_date(self, at: dt.datetime) -> dt.date:
        return at.astimezone(self.zone).date()

    def _intervals_from(self, at: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """Open intervals that end after ``at``, clipped to start no earlier than it."""
        day = self._local_date(at)
        empty_days = 0
        while empty_days < SEARCH_LIMIT_DAYS:
            found = False
            for start, end in self.day_intervals(day):
                found = True
                if end > at:
                    yield (max(start, at), end)
            empty_days = 0 if found else empty_days + 1
            day += dt.timedelta(days=1)
        raise NeverOpens(self.time_zone)

    # --- questions ------------------------------------------------------------------------

    def is_open(self, at: dt.datetime) -> bool:
        _aware(at)
        if self.is_always_open:
            return True
        return any(start <= at < end for start, end in self.day_intervals(self._local_date(at)))

    def next_opening(self, at: dt.datetime) -> dt.datetime:
        """``at`` itself when open, else the start of the next open interval."""
        _aware(at)
        if self.is_always_open:
            return at
        start, _end = next(self._intervals_from(at))
        return start

    def add_business_time(self, start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
        """The instant at which ``amount`` of business time has passed since ``start``.

        It is never inside closed hours: it is open or exactly the end of an interval (a
        zero amount gives the next opening).
        """
        _aware(start)
        if amount < dt.timedelta(0):
            raise ValueError("amount must not be negative")
        if self.is_always_open:
            return start + amount
        left = amount
        for begin, end in self._intervals_from(start):
            span = end - begin
            if left <= span:
                return begin + left if left else begin
            left -= span
        raise NeverOpens(self.time_zone)  # pragma: no cover - _intervals_from raises first

    def add_business_minutes(self, start: dt.datetime, minutes: int) -> dt.datetime:
        return self.add_business_time(start, dt.timedelta(minutes=minutes))

    def business_time_between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Open time between two instants (negative when ``end`` comes first)."""
        _aware(start)
        _aware(end)
        if end < start:
            return -self.business_time_between(end, start)
        if self.is_always_open:
            return end - start
        total = dt.timedelta(0)
        for begin, finish in self._intervals_from(start):
            if begin >= end:
                break
            total += min(finish, end) - begin
        return total

    def business_minutes_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Whole business minutes between two instants (rounded toward zero)."""
        between = self.business_time_between(start, end)
        minute = dt.timedelta(minutes=1)
        return between // minute if between >= dt.timedelta(0) else -((-between) // minute)


ALWAYS = BusinessCalendar(time_zone="UTC", hours=tuple(((0, MINUTES_A_DAY),) for _day in DAYS))


@functools.lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _local(day: dt.date, minutes: int, zone: ZoneInfo) -> dt.datetime:
    """Local wall time ``minutes`` after midnight of ``day`` as a UTC instant."""
    if minutes >= MINUTES_A_DAY:
        day, minutes = day + dt.timedelta(days=1), minutes - MINUTES_A_DAY
    wall = dt.datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=zone)
    return wall.astimezone(UTC)


def _aware(at: dt.datetime) -> None:
    if at.tzinfo is None:
        raise ValueError("naive datetime: calendar arithmetic needs aware instants")


# --- validation ---------------------------------------------------------------------------


def check_time_zone(name: str, errors: ErrorCollector) -> None:
    if not isinstance(name, str) or name not in _zone_names():
        errors.add("time_zone", _("Unknown time zone: %s") % (name,))
        return
    try:
        _zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        errors.add("time_zone", _("Unknown time zone: %s") % (name,))


def check_country(country: str, subdivision: str, errors: ErrorCollector) -> None:
    if not country:
        if subdivision:
            errors.add("holidays.subdivision", _("A subdivision needs a country."))
        return
    supported = _supported_countries()
    code = country.upper()
    if code not in supported:
        errors.add("holidays.country", _("Unknown country code: %s") % (country,))
        return
    if subdivision and subdivision.upper() not in {s.upper() for s in supported[code]}:
        errors.add(
            "holidays.subdivision",
            _("Unknown subdivision %(subdivision)s of %(country)s")
            % {"subdivision": subdivision, "country": code},
        )


def parse_time(text: Any) -> int | None:
    """``"09:30"`` as minutes after midnight (``"24:00"`` allowed); ``None`` when malformed."""
    if not isinstance(text, str):
        return None
    match = _TIME.match(text.strip())
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2])
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        return None
    return hour * 60 + minute


def format_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_hours(hours: Any, errors: ErrorCollector) -> tuple[tuple[Interval, ...], ...]:
    """Weekly hours ``{"monday": [["09:00", "13:00"], ["14:00", "18:00"]], ...}`` checked:
    each interval well formed and ending after it starts, none overlapping another of its
    day, and at least one in the week."""
    week: list[list[Interval]] = [[] for _day in DAYS]
    if not isinstance(hours, Mapping):
        errors.add("hours", _("Hours must map weekdays to lists of intervals."))
        return tuple(tuple(day) for day in week)
    for key, intervals in hours.items():
        if key not in DAYS:
            errors.add(f"hours.{key}", _("Unknown weekday: %s") % (key,))
            continue
        if not isinstance(intervals, list | tuple):
            errors.add(f"hours.{key}", _("A weekday's hours must be a list of intervals."))
            continue
        parsed = _parse_day(key, intervals, errors)
        week[DAYS.index(key)] = parsed
    if not any(week) and not any(e.field.startswith("hours") for e in errors.errors):
        errors.add("hours", _("The calendar has no open hours in the week."))
    return tuple(tuple(day) for day in week)


def _parse_day(key: str, intervals: Sequence[Any], errors: ErrorCollector) -> list[Interval]:
    day: list[tuple[int, Interval]] = []
    for index, pair in enumerate(intervals):
        part = f"hours.{key}[{index}]"
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            errors.add(
                part,
                _("An interval is a pair of times, e.g. [“09:00”, “18:00”]."),
            )
            continue
        start, end = parse_time(pair[0]), parse_time(pair[1])
        if start is None or end is None or start >= MINUTES_A_DAY:
            errors.add(part, _("Times are written HH:MM, from 00:00 to 24:00."))
            continue
        if end <= start:
            errors.add(part, _("The interval ends before it starts."))
            continue
        day.append((index, (start, end)))
    day.sort(key=lambda item: item[1])
    for (_first, (_s, previous_end)), (index, (start, _e)) in itertools.pairwise(day):
        if start < previous_end:
            errors.add(f"hours.{key}[{index}]", _("The interval overlaps another one."))
    return [interval for _index, interval in day]


def hours_as_json(hours: tuple[tuple[Interval, ...], ...]) -> dict[str, list[list[str]]]:
    return {
        name: [[format_time(s), format_time(e)] for s, e in day]
        for name, day in zip(DAYS, hours, strict=True)
        if day
    }

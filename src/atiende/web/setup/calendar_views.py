"""Business calendars in the settings: list, create, edit, delete; weekly hours with several
intervals a day, time zone, holidays (own dates and a country's), the default calendar; and
the default calendar (a group's calendar is set on the group's page, ``group_views``)."""

from __future__ import annotations

from typing import Any

import holidays as public_holidays
from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from atiende.core.errors import FieldError
from atiende.sla.calendars import DAYS
from atiende.sla.models import Calendar
from atiende.sla.services.calendars import (
    create_calendar,
    delete_calendar,
    update_calendar,
)
from atiende.web.common import actor
from atiende.web.setup import selectors
from atiende.web.setup.common import page, settings_view
from atiende.web.setup.forms import set_choices, time_zone_choices
from atiende.web.setup.rows import RowEditor
from atiende.web.setup.rule_pages import rule_page, save_rule

DAY_LABELS = {
    "monday": gettext_lazy("Monday"),
    "tuesday": gettext_lazy("Tuesday"),
    "wednesday": gettext_lazy("Wednesday"),
    "thursday": gettext_lazy("Thursday"),
    "friday": gettext_lazy("Friday"),
    "saturday": gettext_lazy("Saturday"),
    "sunday": gettext_lazy("Sunday"),
}
# Service parts that name a form field under another name.
PARTS = {"holidays.country": "holiday_country", "holidays.subdivision": "holiday_subdivision"}
HOURS_HELP = gettext_lazy("Intervals such as 09:00-13:00, 14:00-18:00; empty: closed.")


def country_choices() -> list[tuple[str, str]]:
    names = public_holidays.list_supported_countries()
    return [("", _("None")), *((code, code) for code in sorted(names))]


class CalendarForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=150)
    time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"))
    holiday_country = forms.ChoiceField(
        label=gettext_lazy("Public holidays of"),
        required=False,
        help_text=gettext_lazy("A country's public holidays are closed days (CL, MX, ES…)."),
    )
    holiday_subdivision = forms.CharField(
        label=gettext_lazy("Region"),
        max_length=16,
        required=False,
        help_text=gettext_lazy("Optional: a state or region code, such as RM or MD."),
    )
    is_default = forms.BooleanField(
        label=gettext_lazy("Default calendar"),
        required=False,
        help_text=gettext_lazy("Used by groups and policies that name no calendar."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "time_zone", time_zone_choices())
        set_choices(self, "holiday_country", country_choices())
        for day in DAYS:
            self.fields[f"hours_{day}"] = forms.CharField(
                label=DAY_LABELS[day], required=False, help_text=HOURS_HELP
            )

    def hours_fields(self) -> list[forms.BoundField]:
        return [self[f"hours_{day}"] for day in DAYS]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("name", "time_zone", "holiday_country",
                                        "holiday_subdivision", "is_default")]  # fmt: skip


def hours_of(data: dict[str, Any]) -> dict[str, list[list[str]]]:
    """``"09:00-13:00, 14:00-18:00"`` per day as the service's intervals; a malformed piece is
    passed on as typed, for the service to name."""
    hours: dict[str, list[list[str]]] = {}
    for day in DAYS:
        text = str(data.get(f"hours_{day}") or "")
        intervals = []
        for piece in text.replace(";", ",").split(","):
            if piece.strip():
                start, _dash, end = piece.partition("-")
                intervals.append([start.strip(), end.strip()])
        if intervals:
            hours[day] = intervals
    return hours


def hours_initial(hours: dict[str, Any]) -> dict[str, str]:
    return {
        f"hours_{day}": ", ".join(f"{start}-{end}" for start, end in hours.get(day, []))
        for day in DAYS
    }


class HoursEditor(RowEditor):
    """Puts ``hours.monday[1]`` on the Monday field and ``hours`` (no hours at all) above them."""

    def __init__(self, form: CalendarForm) -> None:
        super().__init__("hours", "hours", ())
        self.form = form
        self.errors: list[str] = []

    def place(self, error: FieldError) -> bool:
        if error.field == "hours":
            self.errors.append(str(error.message))
            return True
        day = error.field.removeprefix("hours.").split("[")[0]
        if error.field.startswith("hours.") and day in DAYS:
            self.form.add_error(f"hours_{day}", str(error.message))
            return True
        if error.field in PARTS:
            self.form.add_error(PARTS[error.field], str(error.message))
            return True
        return False


@settings_view
def calendar_list(request: HttpRequest) -> HttpResponse:
    context = {"section": "calendars", "calendars": selectors.calendars()}
    return page(request, "web/setup/calendars.html", context)


def _calendar_page(request: HttpRequest, found: Calendar | None) -> HttpResponse:
    initial: dict[str, Any] = {"time_zone": "UTC", "hours_monday": "09:00-18:00"}
    if found is not None:
        initial = {
            "name": found.name,
            "time_zone": found.time_zone,
            "holiday_country": found.holiday_country,
            "holiday_subdivision": found.holiday_subdivision,
            "is_default": found.is_default,
            **hours_initial(found.hours),
        }
    form = CalendarForm(request.POST or None, initial=initial)
    holidays = RowEditor("hol", "holidays", ("date", "yearly", "name"))
    hours = HoursEditor(form)
    if request.method == "POST":
        holidays.read(request.POST)
    elif found is not None:
        holidays.fill(
            {"date": h.date.isoformat(), "yearly": "1" if h.yearly else "", "name": h.name}
            for h in found.holidays.all()
        )

    def write(data: dict[str, Any]) -> object:
        fields = {k: v for k, v in data.items() if not k.startswith("hours_")}
        items = [{"date": r["date"], "yearly": bool(r["yearly"]), "name": r["name"]}
                 for r in holidays.rows]  # fmt: skip
        definition = {**fields, "hours": hours_of(data), "holidays": items}
        if found is None:
            return create_calendar(actor(request), **definition)
        return update_calendar(actor(request), calendar_id=found.pk, changes=definition)

    editors = [holidays, hours]
    done, to = _("Calendar saved."), reverse("settings-calendars")
    if saved := save_rule(request, form, editors, write, done=done, to=to):
        return saved
    context = {"section": "calendars", "object": found, "holidays": holidays, "hours": hours}
    response = rule_page(request, "web/setup/calendar.html", context, form=form, editors=editors)
    if hours.errors:
        response.status_code = 422
    return response


@settings_view
@require_http_methods(["GET", "POST"])
def calendar_new(request: HttpRequest) -> HttpResponse:
    return _calendar_page(request, None)


@settings_view
@require_http_methods(["GET", "POST"])
def calendar_edit(request: HttpRequest, calendar_id: int) -> HttpResponse:
    return _calendar_page(request, selectors.get_calendar(calendar_id))


@settings_view
@require_POST
def calendar_delete(request: HttpRequest, calendar_id: int) -> HttpResponse:
    delete_calendar(actor(request), calendar_id=calendar_id)
    messages.success(request, _("Calendar deleted."))
    return redirect("settings-calendars")

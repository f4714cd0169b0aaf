"""A group's rules, on the group's settings page: the calendar it works to and how its new
tickets are assigned (strategy, affinity's fallback, matching the ticket's language)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from atiende.automation.assignment.config import configure_assignment, group_config
from atiende.automation.models import Strategy
from atiende.automation.models.assignment import FALLBACKS
from atiende.core.errors import AtiendeError, Invalid
from atiende.sla.services.calendars import set_group_calendar
from atiende.web.common import actor
from atiende.web.setup import selectors
from atiende.web.setup.common import settings_view
from atiende.web.setup.forms import set_choices


class GroupCalendarForm(forms.Form):
    calendar_id = forms.TypedChoiceField(
        label=gettext_lazy("Calendar"), coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        default = ("", _("The default calendar"))
        set_choices(self, "calendar_id", [default, *selectors.calendar_choices()])


class AssignmentForm(forms.Form):
    strategy = forms.ChoiceField(label=gettext_lazy("Strategy"), choices=Strategy.choices)
    fallback = forms.ChoiceField(
        label=gettext_lazy("When the last agent is not available"),
        choices=[(s.value, s.label) for s in FALLBACKS],
        help_text=gettext_lazy("For “last agent who helped the customer”."),
    )
    match_language = forms.BooleanField(
        label=gettext_lazy("Prefer agents who speak the ticket's language"), required=False
    )


def group_rule_forms(group_id: int) -> dict[str, forms.Form]:
    """The two forms, filled with the group's current settings, for the group's page."""
    config = group_config(group_id)
    assignment = {"strategy": Strategy.MANUAL, "fallback": Strategy.LEAST_LOAD,
                  "match_language": True}  # fmt: skip
    if config is not None:
        assignment = {"strategy": config.strategy, "fallback": config.fallback,
                      "match_language": config.match_language}  # fmt: skip
    return {
        "calendar_form": GroupCalendarForm(
            initial={"calendar_id": selectors.group_calendar_id(group_id)}
        ),
        "assignment_form": AssignmentForm(initial=assignment),
    }


def _refused(request: HttpRequest, error: AtiendeError) -> None:
    parts = "; ".join(str(e.message) for e in error.errors) or str(error.detail)
    messages.error(request, parts)


@settings_view
@require_POST
def group_calendar(request: HttpRequest, group_id: int) -> HttpResponse:
    """Set the calendar a group works to (empty: the default calendar)."""
    form = GroupCalendarForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid.field("calendar_id", _("Unknown calendar."))
        calendar_id = form.cleaned_data["calendar_id"]
        set_group_calendar(actor(request), group_id=group_id, calendar_id=calendar_id)
    except AtiendeError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The group's calendar was saved."))
    return redirect("settings-group", group_id=group_id)


@settings_view
@require_POST
def group_assignment(request: HttpRequest, group_id: int) -> HttpResponse:
    """Set how the group's new tickets are assigned."""
    form = AssignmentForm(request.POST)
    try:
        if not form.is_valid():
            field, problems = next(iter(form.errors.items()))
            raise Invalid.field(field, str(problems[0]))
        configure_assignment(actor(request), group_id=group_id, **form.cleaned_data)
    except AtiendeError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The group's assignment was saved."))
    return redirect("settings-group", group_id=group_id)

"""Time-based automations in the settings: a state that lasts (pending, unassigned, no
customer reply) for a duration, optional conditions, and actions; run once per episode."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from atiende.automation.models import TimedCondition, TimedRule
from atiende.automation.timed.services import (
    create_timed_rule,
    delete_timed_rule,
    update_timed_rule,
)
from atiende.tickets.models import StatusCategory
from atiende.web.common import actor
from atiende.web.setup import selectors
from atiende.web.setup.common import page, settings_view
from atiende.web.setup.rule_editors import rule_editors
from atiende.web.setup.rule_pages import rule_page, save_rule

UNITS = {"minutes": 1, "hours": 60, "days": 24 * 60}


class TimedRuleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    condition = forms.ChoiceField(
        label=gettext_lazy("When a ticket is"), choices=TimedCondition.choices
    )
    status_category = forms.ChoiceField(
        label=gettext_lazy("Status category"),
        required=False,
        choices=[("", "—"), *StatusCategory.choices],
        help_text=gettext_lazy("For “in a status category for”."),
    )
    minutes = forms.IntegerField(label=gettext_lazy("For"))
    unit = forms.ChoiceField(
        label=gettext_lazy("Unit"),
        choices=[("minutes", gettext_lazy("minutes")), ("hours", gettext_lazy("hours")),
                 ("days", gettext_lazy("days"))],
    )  # fmt: skip


def duration_initial(minutes: int) -> dict[str, Any]:
    for unit in ("days", "hours"):
        if minutes % UNITS[unit] == 0:
            return {"minutes": minutes // UNITS[unit], "unit": unit}
    return {"minutes": minutes, "unit": "minutes"}


@settings_view
def timed_list(request: HttpRequest) -> HttpResponse:
    context = {"section": "timed", "rules": selectors.timed_rules()}
    return page(request, "web/setup/timed_rules.html", context)


def _timed_page(request: HttpRequest, found: TimedRule | None) -> HttpResponse:
    initial = None
    if found is not None:
        initial = {
            "name": found.name,
            "active": found.active,
            "condition": found.condition,
            "status_category": found.status_category,
            **duration_initial(found.minutes),
        }
    form = TimedRuleForm(request.POST or None, initial=initial)
    editors = rule_editors(request, found)

    def write(data: dict[str, Any]) -> object:
        definition = {
            "name": data["name"],
            "active": data["active"],
            "condition": data["condition"],
            "status_category": data["status_category"],
            "minutes": data["minutes"] * UNITS[data["unit"]],
            **editors.definition(),
        }
        if found is None:
            return create_timed_rule(actor(request), **definition)
        return update_timed_rule(actor(request), rule_id=found.pk, changes=definition)

    done, to = _("Automation saved."), reverse("settings-timed")
    if saved := save_rule(request, form, editors.each, write, done=done, to=to):
        return saved
    context = {"section": "timed", "object": found, **editors.context()}
    return rule_page(request, "web/setup/timed_rule.html", context, form=form, editors=editors.each)


@settings_view
@require_http_methods(["GET", "POST"])
def timed_new(request: HttpRequest) -> HttpResponse:
    return _timed_page(request, None)


@settings_view
@require_http_methods(["GET", "POST"])
def timed_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    return _timed_page(request, selectors.get_timed_rule(rule_id))


@settings_view
@require_POST
def timed_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    delete_timed_rule(actor(request), rule_id=rule_id)
    messages.success(request, _("Automation deleted."))
    return redirect("settings-timed")

"""Triggers in the settings: the ordered list, create/edit with the conditions and actions
editors, move up/down, delete, and the dry run ("what would this rule do to ticket #1042?")."""

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

from atiende.automation.models import Trigger
from atiende.automation.triggers.dry_run import DryRun, dry_run
from atiende.automation.triggers.services import (
    create_trigger,
    delete_trigger,
    move_trigger,
    update_trigger,
)
from atiende.core.errors import AtiendeError
from atiende.web.common import actor
from atiende.web.setup import selectors
from atiende.web.setup.common import page, settings_view
from atiende.web.setup.rows import place_errors
from atiende.web.setup.rule_editors import RuleEditors, rule_editors
from atiende.web.setup.rule_pages import rule_page, save_rule


class TriggerForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)


class DryRunForm(forms.Form):
    number = forms.IntegerField(label=gettext_lazy("Ticket number"), min_value=1)


@settings_view
def trigger_list(request: HttpRequest) -> HttpResponse:
    """The triggers in the order they run, with how often and when each last fired."""
    return page(
        request, "web/setup/triggers.html", {"section": "triggers", "rules": selectors.triggers()}
    )


def _trigger_page(request: HttpRequest, found: Trigger | None) -> HttpResponse:
    initial = {"name": found.name, "active": found.active} if found else None
    form = TriggerForm(request.POST or None, initial=initial)
    editors = rule_editors(request, found)

    def write(data: dict[str, Any]) -> object:
        definition = {"name": data["name"], "active": data["active"], **editors.definition()}
        if found is None:
            return create_trigger(actor(request), **definition)
        return update_trigger(actor(request), trigger_id=found.pk, changes=definition)

    result, dry_error = None, ""
    if request.method == "POST" and request.POST.get("dry_run"):
        result, dry_error = _try_unsaved(request, editors)
    done, to = _("Trigger saved."), reverse("settings-triggers")
    if saved := save_rule(request, form, editors.each, write, done=done, to=to):
        return saved
    context = {
        "result": result,
        "dry_error": dry_error,
        "dry_number": request.POST.get("dry_number", ""),
        "section": "triggers",
        "object": found,
        "dry_form": DryRunForm(),
        **editors.context(),
    }
    return rule_page(request, "web/setup/trigger.html", context, form=form, editors=editors.each)


def _try_unsaved(request: HttpRequest, editors: RuleEditors) -> tuple[DryRun | None, str]:
    """The dry run of the rule as it stands in the form (not saved): its result, or why not
    (a bad row is marked on the row, as when saving)."""
    definition = editors.definition()
    raw = (request.POST.get("dry_number") or "").strip().lstrip("#")
    if not raw.isdecimal():
        return None, _("Enter a ticket number.")
    try:
        ticket_id = selectors.ticket_id_by_number(actor(request), int(raw))
        return dry_run(actor(request), ticket_id=ticket_id, definition=definition), ""
    except AtiendeError as error:
        left = place_errors(error, editors.each)
        return None, "; ".join(str(e.message) for e in left) if error.errors else str(error.detail)


@settings_view
@require_http_methods(["GET", "POST"])
def trigger_new(request: HttpRequest) -> HttpResponse:
    return _trigger_page(request, None)


@settings_view
@require_http_methods(["GET", "POST"])
def trigger_edit(request: HttpRequest, trigger_id: int) -> HttpResponse:
    return _trigger_page(request, selectors.get_trigger(trigger_id))


@settings_view
@require_POST
def trigger_move(request: HttpRequest, trigger_id: int) -> HttpResponse:
    move_trigger(actor(request), trigger_id=trigger_id, up=request.POST.get("up") == "1")
    return redirect("settings-triggers")


@settings_view
@require_POST
def trigger_delete(request: HttpRequest, trigger_id: int) -> HttpResponse:
    delete_trigger(actor(request), trigger_id=trigger_id)
    messages.success(request, _("Trigger deleted."))
    return redirect("settings-triggers")


@settings_view
@require_http_methods(["GET"])
def trigger_dry_run(request: HttpRequest, trigger_id: int) -> HttpResponse:
    """What the saved trigger would do to one ticket, asked by its number; nothing is written."""
    found = selectors.get_trigger(trigger_id)
    form = DryRunForm(request.GET or None)
    result: DryRun | None = None
    if form.is_valid():
        try:
            ticket_id = selectors.ticket_id_by_number(actor(request), form.cleaned_data["number"])
            result = dry_run(actor(request), ticket_id=ticket_id, trigger=found)
        except AtiendeError as error:
            form.add_error("number", str(error.detail))
    context = {"section": "triggers", "object": found, "dry_form": form, "result": result}
    return page(request, "web/setup/trigger_dry_run.html", context, form=form)

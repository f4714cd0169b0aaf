"""Logging a call by hand on the ticket page: a small form over
``messaging.channels.services.manual_calls.log_call``; the call then shows in the timeline."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from atiende.core.errors import AtiendeError
from atiende.messaging.channels.services.manual_calls import MAX_NOTE, log_call
from atiende.messaging.models import CallDirection
from atiende.web.common import HtmxHttpRequest, actor, apply_errors, staff_required
from atiende.web.ticket.views.common import load_ticket

MAX_MINUTES = 24 * 60


class CallLogForm(forms.Form):
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=[
            (CallDirection.INBOUND.value, _("The customer called")),
            (CallDirection.OUTBOUND.value, _("We called the customer")),
        ],
        initial=CallDirection.INBOUND.value,
        widget=forms.RadioSelect,
    )
    number = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=0, max_value=MAX_MINUTES, initial=0
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _render(request: HttpRequest, ticket_id: int, *, status: int = 200, **kw: Any) -> HttpResponse:
    ticket = load_ticket(request, ticket_id)
    form = kw.get("form") or CallLogForm(
        auto_id="call-%s", initial={"number": ticket.requester.phone or ""}
    )
    context = {
        "ticket": ticket,
        "call_form": form,
        "call_logged": kw.get("logged", False),
        "call_open": kw.get("open", False),
    }
    return render(request, "web/ticket/_calls.html", context, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def call_log(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    """The "Log a call" panel; a POST logs the call and answers with a fresh panel."""
    if request.method == "GET":  # the page's panel was opened: the form, shown open
        return _render(request, ticket_id, open=True)
    ticket = load_ticket(request, ticket_id)
    form = CallLogForm(request.POST, auto_id="call-%s")
    if not form.is_valid():
        return _render(request, ticket_id, status=422, form=form)
    try:
        log_call(
            actor(request),
            ticket_id=ticket.pk,
            direction=form.cleaned_data["direction"],
            number=form.cleaned_data["number"],
            duration=form.cleaned_data["minutes"] * 60,
            note=form.cleaned_data["note"],
        )
    except AtiendeError as error:
        apply_errors(form, error)
        return _render(request, ticket_id, status=error.status, form=form)
    if not request.htmx:
        return redirect("ticket", ticket_id=ticket.pk)
    response = _render(request, ticket_id, logged=True)
    response["HX-Trigger"] = "ticket-changed"
    return response

"""Merge this ticket into another, or link the two, from the ticket page.

Three steps, each a plain form (htmx swaps them into the page's "Merge or link" box): search
for the other ticket (``relate_search``), pick it and the action, confirm (``relate`` without
and then with ``confirmed``). The change goes through ``tickets.services``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from atiende.core.errors import AtiendeError, Invalid
from atiende.tickets import services as tickets
from atiende.tickets.models import Ticket
from atiende.web.common import HtmxHttpRequest, actor, error_fragment, staff_required
from atiende.web.ticket import page, relating
from atiende.web.ticket.views.common import load_ticket
from atiende.web.ticket.views.header import mark_changed


class RelateForm(forms.Form):
    other_id = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    action = forms.ChoiceField(choices=[(key, key) for key in relating.ACTIONS])
    confirmed = forms.BooleanField(required=False)


@staff_required
@require_GET
def relate_search(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    """Tickets matching ``q`` (a number or words of the subject) to pick from."""
    ticket = load_ticket(request, ticket_id)
    q = request.GET.get("q", "").strip()[: relating.MAX_QUERY]
    context: dict[str, Any] = {
        "ticket": ticket,
        "q": q,
        "found": relating.candidates(actor(request), ticket, q),
        "actions": list(relating.ACTIONS.items()),
    }
    if request.htmx:
        return render(request, "web/ticket/_relate_results.html", context)
    return render(request, "web/ticket/relate.html", context)


@staff_required
@require_POST
def relate(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    """Ask first; once confirmed, merge or link through the services."""
    ticket = load_ticket(request, ticket_id)
    caller = actor(request)
    form = RelateForm(request.POST)
    if not form.is_valid():
        return _refused(request, ticket, Invalid(_("Pick a ticket and what to do with it.")))
    data = form.cleaned_data
    other = relating.other_ticket(caller, ticket, data["other_id"])
    if other is None:
        return _refused(request, ticket, Invalid(_("There is no such ticket to merge or link.")))
    action: str = data["action"]
    if not data["confirmed"]:
        context = {
            "ticket": ticket,
            "other": other,
            "ask": relating.question(ticket, other, action),
        }
        if request.htmx:
            return render(request, "web/ticket/_relate_confirm.html", context)
        return render(request, "web/ticket/relate.html", context)
    try:
        if action == "merge":
            tickets.merge_tickets(caller, source_id=ticket.pk, target_id=other.pk)
        else:
            tickets.link_tickets(caller, source_id=ticket.pk, target_id=other.pk, kind=action)
    except AtiendeError as error:
        return _refused(request, ticket, error)
    if action == "merge":
        done = _("#%(this)d was merged into #%(other)d.") % {
            "this": ticket.number,
            "other": other.number,
        }
        if request.htmx:
            messages.success(request, done)
            response = HttpResponse()
            response["HX-Redirect"] = reverse("ticket", args=[other.pk])
            return response
        messages.success(request, done)
        return redirect("ticket", ticket_id=other.pk)
    done = _("Linked to #%(other)d.") % {"other": other.number}
    if not request.htmx:
        messages.success(request, done)
        return redirect("ticket", ticket_id=ticket.pk)
    context = {"ticket": ticket, "done": done, "related": page.related(caller, ticket)}
    return mark_changed(render(request, "web/ticket/_relate_done.html", context))


def _refused(request: HtmxHttpRequest, ticket: Ticket, error: AtiendeError) -> HttpResponse:
    if request.htmx:
        return error_fragment(request, error)
    messages.error(request, str(error.detail))
    return redirect("ticket", ticket_id=ticket.pk)

"""Time tracking on the ticket page: the timer and manual entries."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from atiende.core.errors import AtiendeError
from atiende.tickets import services as tickets
from atiende.tickets.models import Ticket
from atiende.tickets.services.time import ticket_time
from atiende.web.common import HtmxHttpRequest, actor, apply_errors, staff_required
from atiende.web.ticket.forms import (
    TimeForm,
)
from atiende.web.ticket.history import format_duration
from atiende.web.ticket.views.common import load_ticket

# Time ----------------------------------------------------------------------------------------


def time_context(request: HttpRequest, ticket: Ticket, **kw: Any) -> dict[str, Any]:
    spent = ticket_time(actor(request), ticket)
    entries = [(entry, format_duration(entry.seconds)) for entry in spent.entries]
    return {
        "ticket": ticket,
        "time": spent,
        "time_entries": entries,
        "time_total": format_duration(spent.total_seconds),
        "time_form": kw.get("form") or TimeForm(auto_id="time-%s"),
        "time_alert": kw.get("alert", ""),
    }


def render_time_panel(
    request: HttpRequest, ticket_id: int, *, status: int = 200, **kw: Any
) -> HttpResponse:
    ticket = load_ticket(request, ticket_id)
    return render(
        request, "web/ticket/_time.html", time_context(request, ticket, **kw), status=status
    )


@staff_required
@require_GET
def time_panel(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return render_time_panel(request, ticket_id)


@staff_required
@require_POST
def time_action(request: HtmxHttpRequest, ticket_id: int, action: str) -> HttpResponse:
    """Start or stop the agent's timer, or log minutes by hand."""
    ticket = load_ticket(request, ticket_id)
    caller = actor(request)
    form = TimeForm(request.POST, auto_id="time-%s") if action == "log" else None
    try:
        if action == "start":
            tickets.start_timer(caller, ticket_id=ticket.pk)
        elif action == "stop":
            tickets.stop_timer(caller, ticket_id=ticket.pk, note=request.POST.get("note", ""))
        elif action == "log" and form is not None:
            if not form.is_valid():
                return render_time_panel(request, ticket_id, status=422, form=form)
            tickets.log_time(
                caller,
                ticket_id=ticket.pk,
                minutes=form.cleaned_data["minutes"],
                note=form.cleaned_data["note"],
            )
        else:
            raise Http404()
    except AtiendeError as error:
        if form is not None:
            apply_errors(form, error)
            return render_time_panel(request, ticket_id, status=error.status, form=form)
        return render_time_panel(request, ticket_id, status=error.status, alert=str(error.detail))
    if not request.htmx:
        return redirect("ticket", ticket_id=ticket.pk)
    return render_time_panel(request, ticket_id)

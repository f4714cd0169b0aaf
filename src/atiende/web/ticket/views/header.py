"""The ticket header: in-place field edits (with the stale-version screen), assign to me, solve."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from atiende.automation.sources import source_names
from atiende.core.errors import AtiendeError
from atiende.tickets import services as tickets
from atiende.tickets.errors import StaleVersion
from atiende.tickets.models import StatusCategory, Ticket
from atiende.tickets.selectors import ticket_events
from atiende.web.common import HtmxHttpRequest, actor, apply_errors, current_user, staff_required
from atiende.web.errors import back_to_inbox
from atiende.web.ticket import page, sla_panel
from atiende.web.ticket.forms import (
    FIELDS,
    changes_from,
    field_form,
)
from atiende.web.ticket.history import who
from atiende.web.ticket.views.common import CHANGED, load_ticket, parse_int, still_visible

# Header --------------------------------------------------------------------------------------


def header_context(
    request: HttpRequest,
    ticket: Ticket,
    *,
    defs: list[Any] | None = None,
    open_field: str = "",
    form: forms.Form | None = None,
    conflict: str = "",
    alert: str = "",
) -> dict[str, Any]:
    defs = page.custom_field_defs() if defs is None else defs
    user = current_user(request)
    return {
        "ticket": ticket,
        "tags": list(ticket.tags.all()),
        "custom_values": page.custom_values(ticket, defs),
        "sla_timers": sla_panel.timer_rows(ticket),
        "open_field": open_field,
        "field_form": form,
        "conflict": conflict,
        "alert": alert,
        "assigned_to_me": ticket.assignee_id == user.pk,
        # Offered only where the workflow allows it (``Status.allowed_next``).
        "can_solve": page.first_status(ticket, StatusCategory.SOLVED) is not None,
    }


def render_header(
    request: HttpRequest, ticket: Ticket, *, status: int = 200, **kw: Any
) -> HttpResponse:
    """The header and, out of band, the field panel: the two change together."""
    context = {**header_context(request, ticket, **kw), "fields_out_of_band": True}
    return render(request, "web/ticket/_header.html", context, status=status)


def mark_changed(response: HttpResponse) -> HttpResponse:
    response["HX-Trigger"] = CHANGED
    return response


def who_changed(request: HttpRequest, ticket: Ticket) -> str:
    last = ticket_events(actor(request), ticket).exclude(action__in=page.HIDDEN_ACTIONS).last()
    if last is None:
        return _("Someone")
    return who(last, source_names([last.source_detail]) if last.source_detail else None)


@staff_required
@require_GET
def header(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return render_header(request, load_ticket(request, ticket_id))


@staff_required
@require_http_methods(["GET", "POST"])
def edit_field(request: HttpRequest, ticket_id: int, name: str) -> HttpResponse:
    """GET: the small form of one header field. POST: save it with the version it was shown."""
    if name not in FIELDS:
        raise Http404()
    ticket = load_ticket(request, ticket_id)
    if request.method == "GET":
        version = parse_int(request.GET.get("version")) or ticket.version
        form = field_form(name, ticket, version=version)
        return render(
            request, "web/ticket/_field_form.html", {"ticket": ticket, "name": name, "form": form}
        )
    form = field_form(name, ticket, data=request.POST)
    if not form.is_valid():
        return render_header(request, ticket, status=422, open_field=name, form=form)
    try:
        tickets.update_ticket(
            actor(request),
            ticket_id=ticket.pk,
            version=form.cleaned_data["version"],
            changes=changes_from(name, form),
        )
    except StaleVersion:
        current = load_ticket(request, ticket_id)
        data = request.POST.copy()
        data["version"] = str(current.version)
        again = field_form(name, current, data=data)
        again.is_valid()
        message = _(
            "%(who)s changed this ticket meanwhile. The values shown are the current ones: "
            "save to apply your change on top of them, or cancel to drop it."
        ) % {"who": who_changed(request, current)}
        return mark_changed(
            render_header(
                request, current, status=409, open_field=name, form=again, conflict=message
            )
        )
    except AtiendeError as error:
        _place_errors(form, error)
        return render_header(request, ticket, status=error.status, open_field=name, form=form)
    return changed_header(request, ticket)


def changed_header(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    """The header after the agent's own change; if the change took the ticket out of their
    sight (another group, another assignee), a message and the inbox instead of a 404."""
    current = still_visible(request, ticket.pk)
    if current is None:
        return back_to_inbox(request, ticket.number)
    return mark_changed(render_header(request, current))


def _place_errors(form: forms.Form, error: AtiendeError) -> None:
    """Custom field errors (``custom_fields.<key>``) go next to their own input."""
    placed = False
    rest = []
    for item in error.errors:
        name = (
            "cf." + item.field.split(".", 1)[1] if item.field.startswith("custom_fields.") else ""
        )
        if name in form.fields:
            form.add_error(name, str(item.message))
            placed = True
        else:
            rest.append(item)
    if rest or not placed:
        error.errors = rest
        apply_errors(form, error)


@staff_required
@require_POST
def assign_to_me(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    ticket = load_ticket(request, ticket_id)
    version = parse_int(request.POST.get("version"))
    try:
        tickets.assign_ticket(
            actor(request),
            ticket_id=ticket.pk,
            assignee_id=current_user(request).pk,
            version=version,
        )
    except AtiendeError as error:
        return header_error(request, ticket_id, error)
    if not request.htmx:
        return redirect("ticket", ticket_id=ticket.pk)
    return mark_changed(render_header(request, load_ticket(request, ticket_id)))


@staff_required
@require_POST
def solve(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    ticket = load_ticket(request, ticket_id)
    version = parse_int(request.POST.get("version"))
    status = page.first_status(ticket, StatusCategory.SOLVED)
    if status is None:
        message = _("A ticket in status “%(status)s” cannot be solved.") % {
            "status": ticket.status.name
        }
        return render_header(request, ticket, status=422, alert=message)
    try:
        tickets.change_status(
            actor(request), ticket_id=ticket.pk, status=status.key, version=version
        )
    except AtiendeError as error:
        return header_error(request, ticket_id, error)
    if not request.htmx:
        return redirect("ticket", ticket_id=ticket.pk)
    return mark_changed(render_header(request, load_ticket(request, ticket_id)))


def header_error(request: HttpRequest, ticket_id: int, error: AtiendeError) -> HttpResponse:
    current = load_ticket(request, ticket_id)
    if isinstance(error, StaleVersion):
        message = _(
            "%(who)s changed this ticket meanwhile; nothing was saved. "
            "Check the current values and try again."
        ) % {"who": who_changed(request, current)}
        return mark_changed(render_header(request, current, status=409, conflict=message))
    return render_header(request, current, status=error.status, alert=str(error.detail))

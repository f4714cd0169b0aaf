"""The ticket page and the new-ticket page: thin views over ``tickets.services`` and the reads
in ``page``.

htmx partials answer with the fragment they replace: the header (every field edit answers with
the whole header, so every field form carries the new ``version``), the timeline, the composer
and the time panel. A change the page made sends ``HX-Trigger: ticket-changed`` so the other
parts refresh; ``ticket.js`` does the same when realtime events about this ticket arrive.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from atiende.accounts import selectors as accounts_selectors
from atiende.accounts import services as accounts
from atiende.core.errors import AtiendeError
from atiende.tickets import canned
from atiende.tickets import services as tickets
from atiende.tickets.errors import StaleVersion, TicketNotFound
from atiende.tickets.models import StatusCategory, Ticket
from atiende.tickets.selectors import get_ticket, ticket_events
from atiende.tickets.services.time import ticket_time
from atiende.web.common import actor, apply_errors, current_user, error_fragment, staff_required
from atiende.web.customers.panel import customer_panel
from atiende.web.ticket import page
from atiende.web.ticket.formatting import text_to_rich_html
from atiende.web.ticket.forms import (
    FIELDS,
    ComposerForm,
    NewTicketForm,
    TimeForm,
    changes_from,
    field_form,
    requester_label,
)
from atiende.web.ticket.history import format_duration, who

CHANGED = "ticket-changed"


def _load(request: HttpRequest, ticket_id: int) -> Ticket:
    """The ticket if the agent may see it; missing and invisible are both a 404."""
    try:
        return get_ticket(actor(request), ticket_id)
    except TicketNotFound:
        raise Http404(_("Ticket not found.")) from None


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


# The page ------------------------------------------------------------------------------------


@staff_required
@require_GET
def ticket_page(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _load(request, ticket_id)
    caller = actor(request)
    defs = page.custom_field_defs()
    line = page.timeline(caller, ticket, custom_names={d.key: d.name for d in defs})
    context = {
        **_header_context(request, ticket, defs=defs),
        "timeline": line,
        "composer": ComposerForm(initial={"public": "1", "last_seen": line.last_message_id}),
        "last_seen": line.last_message_id,
        **_time_context(request, ticket),
        "related": page.related(caller, ticket),
        "panel": customer_panel(caller, ticket.requester, current_ticket_id=ticket.pk),
    }
    return render(request, "web/ticket/page.html", context)


# Header --------------------------------------------------------------------------------------


def _header_context(
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
        "open_field": open_field,
        "field_form": form,
        "conflict": conflict,
        "alert": alert,
        "assigned_to_me": ticket.assignee_id == user.pk,
        # Offered only where the workflow allows it (``Status.allowed_next``).
        "can_solve": page.first_status(ticket, StatusCategory.SOLVED) is not None,
    }


def _header(request: HttpRequest, ticket: Ticket, *, status: int = 200, **kw: Any) -> HttpResponse:
    response = render(
        request, "web/ticket/_header.html", _header_context(request, ticket, **kw), status=status
    )
    return response


def _changed(response: HttpResponse) -> HttpResponse:
    response["HX-Trigger"] = CHANGED
    return response


def _who_changed(request: HttpRequest, ticket: Ticket) -> str:
    last = ticket_events(actor(request), ticket).exclude(action__in=page.HIDDEN_ACTIONS).last()
    return who(last) if last is not None else _("Someone")


@staff_required
@require_GET
def header(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _header(request, _load(request, ticket_id))


@staff_required
@require_http_methods(["GET", "POST"])
def edit_field(request: HttpRequest, ticket_id: int, name: str) -> HttpResponse:
    """GET: the small form of one header field. POST: save it with the version it was shown."""
    if name not in FIELDS:
        raise Http404()
    ticket = _load(request, ticket_id)
    if request.method == "GET":
        version = _int(request.GET.get("version")) or ticket.version
        form = field_form(name, ticket, version=version)
        return render(
            request, "web/ticket/_field_form.html", {"ticket": ticket, "name": name, "form": form}
        )
    form = field_form(name, ticket, data=request.POST)
    if not form.is_valid():
        return _header(request, ticket, status=422, open_field=name, form=form)
    try:
        tickets.update_ticket(
            actor(request),
            ticket_id=ticket.pk,
            version=form.cleaned_data["version"],
            changes=changes_from(name, form),
        )
    except StaleVersion:
        current = _load(request, ticket_id)
        data = request.POST.copy()
        data["version"] = str(current.version)
        again = field_form(name, current, data=data)
        again.is_valid()
        message = _(
            "%(who)s changed this ticket meanwhile. The values shown are the current ones: "
            "save to apply your change on top of them, or cancel to drop it."
        ) % {"who": _who_changed(request, current)}
        return _changed(
            _header(request, current, status=409, open_field=name, form=again, conflict=message)
        )
    except AtiendeError as error:
        _place_errors(form, error)
        return _header(request, ticket, status=error.status, open_field=name, form=form)
    return _changed(_header(request, _load(request, ticket_id)))


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
def assign_to_me(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _load(request, ticket_id)
    version = _int(request.POST.get("version"))
    try:
        tickets.assign_ticket(
            actor(request),
            ticket_id=ticket.pk,
            assignee_id=current_user(request).pk,
            version=version,
        )
    except AtiendeError as error:
        return _header_error(request, ticket_id, error)
    if not _is_htmx(request):
        return redirect("ticket", ticket_id=ticket.pk)
    return _changed(_header(request, _load(request, ticket_id)))


@staff_required
@require_POST
def solve(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _load(request, ticket_id)
    version = _int(request.POST.get("version"))
    status = page.first_status(ticket, StatusCategory.SOLVED)
    if status is None:
        message = _("A ticket in status “%(status)s” cannot be solved.") % {
            "status": ticket.status.name
        }
        return _header(request, ticket, status=422, alert=message)
    try:
        tickets.change_status(
            actor(request), ticket_id=ticket.pk, status=status.key, version=version
        )
    except AtiendeError as error:
        return _header_error(request, ticket_id, error)
    if not _is_htmx(request):
        return redirect("ticket", ticket_id=ticket.pk)
    return _changed(_header(request, _load(request, ticket_id)))


def _header_error(request: HttpRequest, ticket_id: int, error: AtiendeError) -> HttpResponse:
    current = _load(request, ticket_id)
    if isinstance(error, StaleVersion):
        message = _(
            "%(who)s changed this ticket meanwhile; nothing was saved. "
            "Check the current values and try again."
        ) % {"who": _who_changed(request, current)}
        return _changed(_header(request, current, status=409, conflict=message))
    return _header(request, current, status=error.status, alert=str(error.detail))


# Timeline ------------------------------------------------------------------------------------


@staff_required
@require_GET
def timeline(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The latest items (a refresh), or with ``before`` the items before that time."""
    ticket = _load(request, ticket_id)
    before: datetime.datetime | None = None
    raw = request.GET.get("before", "")
    if raw:
        try:
            before = parse_datetime(raw)
        except ValueError:
            before = None
        if before is None:
            return error_fragment(request, AtiendeError(_("Invalid time.")))
    names = {d.key: d.name for d in page.custom_field_defs()}
    line = page.timeline(actor(request), ticket, before=before, custom_names=names)
    template = "web/ticket/_timeline_items.html" if before else "web/ticket/_timeline.html"
    return render(request, template, {"ticket": ticket, "timeline": line, "refresh": True})


# Composer ------------------------------------------------------------------------------------


def _composer(
    request: HttpRequest,
    ticket: Ticket,
    form: ComposerForm,
    *,
    status: int = 200,
    collision: Any = None,
    alert: str = "",
    attachments: list[Any] | None = None,
    mentions: list[Any] | None = None,
) -> HttpResponse:
    context = {
        "ticket": ticket,
        "composer": form,
        "collision": collision,
        "composer_alert": alert,
        "pending_attachments": attachments or [],
        "pending_mentions": mentions or [],
        "last_seen": form["last_seen"].value() or 0,
        "collision_html": page.message_html(collision) if collision is not None else "",
    }
    return render(request, "web/ticket/_composer.html", context, status=status)


@staff_required
@require_POST
def reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Send a reply or a note; with ``then`` also set pending or solved in the same action.

    Before a public reply, a newer public message from someone else stops the send: the agent
    sees it, keeps their text and may send anyway.
    """
    ticket = _load(request, ticket_id)
    caller = actor(request)
    form = ComposerForm(request.POST)
    if not form.is_valid():
        return _composer(request, ticket, form, status=422)
    data = form.cleaned_data
    public: bool = data["public"]
    attachment_ids = form.ids("attachment_ids")
    mention_ids = form.ids("mentions") if not public else []
    try:
        for upload in request.FILES.getlist("file"):
            stored = tickets.store_attachment(
                caller, ticket_id=ticket.pk, filename=upload.name or "", stream=upload
            )
            attachment_ids.append(stored.pk)
    except AtiendeError as error:
        apply_errors(form, error)
        return _composer(request, ticket, form, status=error.status)
    pending = page.pending_attachments(caller, ticket, attachment_ids)
    mentioned = page.agents_by_id(mention_ids)
    if public and not data["force"] and data["last_seen"] is not None:
        newer = page.newer_public_message(caller, ticket, after_id=data["last_seen"])
        if newer is not None:
            values = request.POST.copy()
            values["last_seen"] = str(newer.pk)
            kept = ComposerForm(values)
            kept.is_valid()
            return _composer(
                request,
                ticket,
                kept,
                status=409,
                collision=newer,
                attachments=pending,
                mentions=mentioned,
            )
    try:
        tickets.add_message(
            caller,
            ticket_id=ticket.pk,
            body=data["body"],
            body_html=text_to_rich_html(data["body"]),
            public=public,
            attachment_ids=attachment_ids,
            mentions=mention_ids,
        )
    except AtiendeError as error:
        apply_errors(form, error)
        return _composer(
            request, ticket, form, status=error.status, attachments=pending, mentions=mentioned
        )
    alert = ""
    if data["then"]:
        alert = _set_status_after(request, ticket_id, data["then"])
    fresh = ComposerForm(
        initial={
            "public": "1" if public else "0",
            "last_seen": page.last_message_id(caller, ticket),
        }
    )
    if not _is_htmx(request):
        return redirect("ticket", ticket_id=ticket.pk)
    return _changed(_composer(request, ticket, fresh, alert=alert))


def _set_status_after(request: HttpRequest, ticket_id: int, then: str) -> str:
    """Move the ticket to pending or solved after sending; an error message or ``""``."""
    current = _load(request, ticket_id)
    category = StatusCategory.PENDING if then == "pending" else StatusCategory.SOLVED
    status = page.first_status(current, category)
    if status is None:
        return _("Sent. The ticket cannot move from “%(status)s” to %(category)s.") % {
            "status": current.status.name,
            "category": category.label,
        }
    try:
        tickets.change_status(actor(request), ticket_id=current.pk, status=status.key)
    except AtiendeError as error:
        return _("Sent. The status could not be changed: %(error)s") % {"error": error.detail}
    return ""


@staff_required
@require_POST
def upload(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Store dropped or picked files now; the composer sends their ids with the message."""
    ticket = _load(request, ticket_id)
    files = request.FILES.getlist("file")
    if not files:
        return error_fragment(request, AtiendeError(_("Choose a file to attach.")))
    stored = []
    try:
        for upload_file in files:
            stored.append(
                tickets.store_attachment(
                    actor(request),
                    ticket_id=ticket.pk,
                    filename=upload_file.name or "",
                    stream=upload_file,
                )
            )
    except AtiendeError as error:
        return error_fragment(request, error)
    return render(request, "web/ticket/_attachment_chips.html", {"attachments": stored})


@staff_required
@require_GET
def canned_list(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _load(request, ticket_id)
    q = (request.GET.get("q") or request.GET.get("canned_q") or "")[:100]
    responses = list(canned.available_responses(actor(request), q=q)[:30])
    return render(
        request, "web/ticket/_canned_list.html", {"ticket": ticket, "responses": responses}
    )


@staff_required
@require_GET
def canned_text(request: HttpRequest, ticket_id: int, response_id: int) -> HttpResponse:
    """The response's text for this ticket, as plain text for the composer to insert."""
    ticket = _load(request, ticket_id)
    try:
        response = canned.get_response(actor(request), response_id)
    except AtiendeError as error:
        return error_fragment(request, error)
    text = canned.render_response(response, ticket=ticket, agent=current_user(request))
    answer = HttpResponse(text, content_type="text/plain; charset=utf-8")
    answer["X-Content-Type-Options"] = "nosniff"
    return answer


@staff_required
@require_GET
def mention_suggestions(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _load(request, ticket_id)
    agents = page.mentionable(ticket, request.GET.get("q", "")[:100])
    return render(request, "web/ticket/_mentions.html", {"agents": agents})


# Time ----------------------------------------------------------------------------------------


def _time_context(request: HttpRequest, ticket: Ticket, **kw: Any) -> dict[str, Any]:
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


def _time_panel(
    request: HttpRequest, ticket_id: int, *, status: int = 200, **kw: Any
) -> HttpResponse:
    ticket = _load(request, ticket_id)
    return render(
        request, "web/ticket/_time.html", _time_context(request, ticket, **kw), status=status
    )


@staff_required
@require_GET
def time_panel(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _time_panel(request, ticket_id)


@staff_required
@require_POST
def time_action(request: HttpRequest, ticket_id: int, action: str) -> HttpResponse:
    """Start or stop the agent's timer, or log minutes by hand."""
    ticket = _load(request, ticket_id)
    caller = actor(request)
    form = TimeForm(request.POST, auto_id="time-%s") if action == "log" else None
    try:
        if action == "start":
            tickets.start_timer(caller, ticket_id=ticket.pk)
        elif action == "stop":
            tickets.stop_timer(caller, ticket_id=ticket.pk, note=request.POST.get("note", ""))
        elif action == "log" and form is not None:
            if not form.is_valid():
                return _time_panel(request, ticket_id, status=422, form=form)
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
            return _time_panel(request, ticket_id, status=error.status, form=form)
        return _time_panel(request, ticket_id, status=error.status, alert=str(error.detail))
    if not _is_htmx(request):
        return redirect("ticket", ticket_id=ticket.pk)
    return _time_panel(request, ticket_id)


# New ticket ----------------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def new_ticket(request: HttpRequest) -> HttpResponse:
    """Open a ticket for a customer: found by search, or created from an email and a name."""
    caller = actor(request)
    form = NewTicketForm(request.POST or None)
    chosen = None
    requester_id = _int(request.POST.get("requester_id")) if request.method == "POST" else None
    if requester_id is not None:
        try:
            chosen = accounts_selectors.get_user(caller, requester_id, field="requester_email")
        except AtiendeError as error:
            form.is_valid()
            apply_errors(form, error)
            requester_id = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            requester = chosen or accounts.find_or_create_customer(
                caller,
                email=data["requester_email"],
                name=data["requester_name"],
                field="requester_email",
            )
            opened = tickets.open_ticket(
                caller,
                requester=requester,
                subject=data["subject"],
                body=data["body"],
                body_html=text_to_rich_html(data["body"]),
                public=data["public"],
                channel=data["channel"],
                group_id=data["group_id"],
                priority=data["priority"] or None,
                assignee_id=data["assignee_id"],
            )
        except AtiendeError as error:
            apply_errors(form, error)
        else:
            return redirect("ticket", ticket_id=opened.pk)
    status = 422 if request.method == "POST" else 200
    context = {
        "form": form,
        "chosen": chosen,
        "chosen_label": requester_label(chosen) if chosen else "",
    }
    return render(request, "web/ticket/new.html", context, status=status)


@staff_required
@require_GET
def requester_suggestions(request: HttpRequest) -> HttpResponse:
    """Customers whose name or email contains ``q`` (at least two characters)."""
    q = request.GET.get("q", request.GET.get("requester_email", "")).strip()[:100]
    found: list[Any] = []
    if len(q) >= 2:
        users = accounts_selectors.list_users(
            actor(request), role="customer", q=q, limit=8, cursor=None
        )
        found = [(u, requester_label(u)) for u in users.items]
    return render(request, "web/ticket/_requesters.html", {"found": found, "q": q})

"""A new ticket on a customer's behalf, with the requester found or created inline."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from atiende.accounts import selectors as accounts_selectors
from atiende.accounts import services as accounts
from atiende.core import markdown
from atiende.core.errors import AtiendeError
from atiende.tickets import services as tickets
from atiende.web.common import actor, apply_errors, staff_required
from atiende.web.ticket.forms import (
    NewTicketForm,
    requester_label,
)
from atiende.web.ticket.views.common import parse_int

# New ticket ----------------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def new_ticket(request: HttpRequest) -> HttpResponse:
    """Open a ticket for a customer: found by search, or created from an email and a name."""
    caller = actor(request)
    form = NewTicketForm(request.POST or None)
    chosen = None
    requester_id = parse_int(request.POST.get("requester_id")) if request.method == "POST" else None
    if requester_id is not None:
        try:
            chosen = accounts_selectors.get_user(caller, requester_id, field="requester_email")
        except AtiendeError as error:
            form.is_valid()
            apply_errors(form, error)
            requester_id = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        formatted = markdown.render(data["body"])
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
                body=formatted.text,
                body_html=formatted.html,
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

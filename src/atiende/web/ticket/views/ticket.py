"""The ticket page and its timeline fragment."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from atiende.core.errors import AtiendeError
from atiende.surveys.selectors import ticket_ratings
from atiende.tickets.models import Draft
from atiende.tickets.selectors import my_draft
from atiende.web.common import actor, error_fragment, staff_required
from atiende.web.customers.panel import customer_panel
from atiende.web.ticket import page
from atiende.web.ticket.forms import (
    ComposerForm,
)
from atiende.web.ticket.send_by import send_by
from atiende.web.ticket.views.common import load_ticket
from atiende.web.ticket.views.header import header_context
from atiende.web.ticket.views.time import time_context

# The page ------------------------------------------------------------------------------------


@staff_required
@require_GET
def ticket_page(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = load_ticket(request, ticket_id)
    caller = actor(request)
    defs = page.custom_field_defs()
    line = page.timeline(caller, ticket, custom_names={d.key: d.name for d in defs})
    draft = my_draft(caller, ticket)
    context = {
        **header_context(request, ticket, defs=defs),
        "timeline": line,
        "composer": ComposerForm(initial=composer_initial(draft, line.last_message_id)),
        "last_seen": line.last_message_id,
        "draft": draft,
        "send_by": send_by(ticket),
        **time_context(request, ticket),
        "related": page.related(caller, ticket),
        "panel": customer_panel(caller, ticket.requester, current_ticket_id=ticket.pk),
        "satisfaction": ticket_ratings(caller, ticket.pk),
    }
    return render(request, "web/ticket/page.html", context)


def composer_initial(draft: Draft | None, last_seen: int | None) -> dict[str, Any]:
    """The composer as the agent left it: their draft's text and kind, else an empty reply."""
    if draft is None:
        return {"public": "1", "last_seen": last_seen}
    return {"public": "1" if draft.public else "0", "body": draft.body, "last_seen": last_seen}


# Timeline ------------------------------------------------------------------------------------


@staff_required
@require_GET
def timeline(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The latest items (a refresh), or with ``before`` the items before that time."""
    ticket = load_ticket(request, ticket_id)
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

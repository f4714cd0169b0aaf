"""Search: the top bar's suggestions while typing, and the full results page.

Tickets are found through ``tickets.listing`` (scoped by ``visible_tickets``, full text through
``search.filter_tickets``, a number as a direct hit); customers and organizations through
``search.customers``. Only the tickets of the shown page are highlighted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString

from atiende.accounts.models import Organization, User
from atiende.accounts.selectors import BY_NAME, visible_groups
from atiende.core.actor import Actor
from atiende.core.errors import Invalid
from atiende.core.pagination import Page, paginate
from atiende.search.customers import customer_matches, organization_matches, suggest_customers
from atiende.search.highlight import highlight
from atiende.search.snippets import TicketSnippet, ticket_snippets
from atiende.search.terms import parse_query
from atiende.tickets.listing import TicketFilters, list_tickets, number_in_query
from atiende.tickets.models import Ticket
from atiende.tickets.selectors import visible_tickets
from atiende.web.common import actor, staff_required
from atiende.web.search.forms import MAX_QUERY, TABS, SearchPageForm

PAGE_SIZE = 25
SUGGESTIONS = 5
# A query naming more customers than this is a common name: it adds none of their tickets.
NAMED_CUSTOMERS = 20
FILTERS = ("status_category", "group", "channel", "created_from", "created_to")


def number_hit(who: Actor, query: str) -> Ticket | None:
    """The visible ticket a query such as ``#1042`` or ``1042`` names."""
    number = number_in_query(query)
    if number is None:
        return None
    return visible_tickets(who).filter(number=number).select_related("status").first()


@staff_required
def suggest(request: HttpRequest) -> HttpResponse:
    """The options of the search box's listbox for what has been typed so far."""
    who = actor(request)
    query = request.GET.get("q", "")[:MAX_QUERY].strip()
    if not parse_query(query):
        return render(request, "web/search/_suggest.html", {"has_query": False})
    hit = number_hit(who, query)
    customers = suggest_customers(who, query, limit=SUGGESTIONS)
    found = list_tickets(who, TicketFilters(q=query), limit=SUGGESTIONS + 1).items
    tickets = [t for t in found if hit is None or t.pk != hit.pk][:SUGGESTIONS]
    context = {
        "has_query": True,
        "q": query,
        "number_hit": hit,
        "customers": customers,
        "tickets": tickets,
        "count": len(customers) + len(tickets) + (1 if hit else 0) + 1,
    }
    return render(request, "web/search/_suggest.html", context)


@dataclass(frozen=True)
class TicketResult:
    ticket: Ticket
    snippet: TicketSnippet


@dataclass(frozen=True)
class PersonResult:
    customer: User
    name: SafeString
    email: SafeString


@staff_required
def results(request: HttpRequest) -> HttpResponse:
    """Tickets, customers or organizations matching ``q``, one tab at a time, paginated."""
    who = actor(request)
    groups = list(
        visible_groups(who).prefetch_related(None).order_by("name").values_list("pk", "name")
    )
    form = SearchPageForm(request.GET, groups=groups)
    form.is_valid()
    query, tab = form.query, form.active_tab
    hit = number_hit(who, query)
    if hit is not None and query.strip().startswith("#"):
        return redirect("ticket", hit.pk)
    cursor = form.value("cursor") or None
    context: dict[str, Any] = {
        "form": form,
        "q": query,
        "tab": tab,
        "tabs": _tabs(request, tab),
        "number_hit": hit,
        "error": "",
        "page": None,
        "filter_fields": [form[name] for name in FILTERS],
    }
    searching = bool(parse_query(query)) or (tab == "tickets" and form.has_filters)
    status = 200
    if searching:
        try:
            context.update(_tab_results(who, form, tab, cursor))
        except Invalid as invalid:
            context["error"] = str(invalid.detail)
            status = 422
    if form.errors and status == 200:
        status = 422
    context["next_url"] = _next_url(request, context["page"])
    return render(request, "web/search/results.html", context, status=status)


def _tab_results(who: Actor, form: SearchPageForm, tab: str, cursor: str | None) -> dict[str, Any]:
    query = form.query
    if tab == "customers":
        people: Page[User] = paginate(
            customer_matches(who, query).select_related("organization"),
            BY_NAME,
            limit=PAGE_SIZE,
            cursor=cursor,
        )
        rows = [
            PersonResult(c, highlight(c.display_name, query), highlight(c.email or "", query))
            for c in people.items
        ]
        return {"page": people, "people": rows}
    if tab == "organizations":
        orgs: Page[Organization] = paginate(
            organization_matches(who, query), BY_NAME, limit=PAGE_SIZE, cursor=cursor
        )
        names = {o.pk: highlight(o.name, query) for o in orgs.items}
        return {"page": orgs, "orgs": [(o, names[o.pk]) for o in orgs.items]}
    after, before = form.created_range()
    category = form.value("status_category")
    channel = form.value("channel")
    filters = TicketFilters(
        q=query,
        q_requesters=_named_customers(who, query),
        status_category=(category,) if category else (),
        group_id=form.value("group"),
        channel=(channel,) if channel else (),
        created_after=after,
        created_before=before,
    )
    page = list_tickets(who, filters, limit=PAGE_SIZE, cursor=cursor)
    snippets = ticket_snippets(who, page.items, query)
    return {
        "page": page,
        "tickets": [TicketResult(t, snippets[t.pk]) for t in page.items],
    }


def _named_customers(who: Actor, query: str) -> tuple[int, ...]:
    """The customers a query names (by name, email or phone), when they are few: their
    tickets belong on the tickets tab even when no message says their name."""
    found = list(customer_matches(who, query).values_list("pk", flat=True)[: NAMED_CUSTOMERS + 1])
    return tuple(found) if len(found) <= NAMED_CUSTOMERS else ()


def _tabs(request: HttpRequest, current: str) -> list[tuple[str, str, bool]]:
    """(tab, url, current) for each tab, keeping the query and filters, dropping the cursor."""
    params = {k: v for k, v in request.GET.items() if k not in ("tab", "cursor")}
    return [(tab, "?" + urlencode({**params, "tab": tab}), tab == current) for tab in TABS]


def _next_url(request: HttpRequest, page: Page[Any] | None) -> str:
    if page is None or not page.next_cursor:
        return ""
    params = {k: v for k, v in request.GET.items() if k != "cursor"}
    return "?" + urlencode({**params, "cursor": page.next_cursor})

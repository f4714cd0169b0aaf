"""Customer pages: the list with search, create and edit, identities, and merging duplicates.

Views parse a form, call one selector or service with ``actor(request)`` and render; a
service's error goes back next to the form's fields.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atiende.accounts import services
from atiende.accounts.models import Role, User
from atiende.accounts.selectors import BY_NAME, read_user, visible_organizations
from atiende.core.actor import Actor
from atiende.core.errors import AtiendeError, Invalid, NotFound
from atiende.core.pagination import Page, SortKey, paginate
from atiende.core.permissions import is_admin
from atiende.search.customers import clean_query, customer_matches
from atiende.tickets import services as ticket_services
from atiende.tickets.models import CustomFieldTarget, Ticket
from atiende.tickets.selectors import visible_tickets
from atiende.web.common import actor, staff_required
from atiende.web.customers.forms import (
    CustomerForm,
    IdentityForm,
    SearchForm,
    apply_service_errors,
)
from atiende.web.customers.panel import customer_panel, field_values, ticket_rows

PAGE_SIZE = 25
NEWEST_TICKETS = SortKey("created_at", True, datetime.datetime)
MERGE_CANDIDATES = 10
KEEP_OTHER = "other"  # the merge's ``keep``: the customer picked survives, not this page's
ORG_CHOICES = 200


def get_customer(who: Actor, customer_id: int) -> User:
    """A customer record (staff records are not customers: 404)."""
    try:
        user = read_user(who, customer_id)
    except NotFound:
        raise Http404 from None
    if user.role != Role.CUSTOMER:
        raise Http404
    return user


def ticket_page(
    tickets: Any, cursor: str | None, *, current: int | None = None
) -> tuple[Page[Ticket] | None, list[Any], str]:
    """A page of tickets, newest first; a bad cursor gives the first page and a message."""
    try:
        page = paginate(
            tickets.select_related("status", "requester"),
            NEWEST_TICKETS,
            limit=PAGE_SIZE,
            cursor=cursor,
        )
    except Invalid as error:
        return None, [], str(error.detail)
    return page, ticket_rows(page.items, current_ticket_id=current), ""


def _organization_names(who: Actor) -> list[str]:
    return list(
        visible_organizations(who).order_by("name").values_list("name", flat=True)[:ORG_CHOICES]
    )


def _organization_id(who: Actor, form: CustomerForm) -> tuple[bool, int | None]:
    """The id named by the form's organization, or a form error and ``False``."""
    name = str(form.cleaned_data.get("organization") or "").strip()
    if not name:
        return True, None
    org = visible_organizations(who).filter(name__iexact=name).first()
    if org is None:
        form.add_error("organization", _("No organization has this name."))
        return False, None
    return True, org.pk


@staff_required
def customer_list(request: HttpRequest) -> HttpResponse:
    search = SearchForm(request.GET)
    query = search.query()
    who = actor(request)
    error = ""
    try:
        page = paginate(
            customer_matches(who, query).select_related("organization"),
            BY_NAME,
            limit=PAGE_SIZE,
            cursor=search.page_cursor(),
        )
    except Invalid as invalid:
        error = str(invalid.detail)
        page = paginate(customer_matches(who, query), BY_NAME, limit=PAGE_SIZE, cursor=None)
    context = {"search": search, "q": clean_query(query), "page": page, "error": error}
    template = "web/customers/list.html"
    if request.headers.get("HX-Target") == "cx-results":
        template = "web/customers/_results.html"
    return render(request, template, context, status=422 if error else 200)


@staff_required
def customer_new(request: HttpRequest) -> HttpResponse:
    who = actor(request)
    form = CustomerForm(request.POST or None, organization_editable=is_admin(who))
    if request.method == "POST" and form.is_valid():
        found, organization_id = _organization_id(who, form)
        extra: dict[str, Any] = {"organization_id": organization_id} if organization_id else {}
        if found:
            try:
                customer = services.create_user(
                    who,
                    email=form.cleaned_data["email"],
                    role=Role.CUSTOMER,
                    name=form.cleaned_data["name"],
                    phone=form.cleaned_data["phone"],
                    locale=form.cleaned_data["locale"],
                    time_zone=form.cleaned_data["time_zone"],
                    notes=form.cleaned_data["notes"],
                    custom_fields={k: v for k, v in form.custom_values().items() if v is not None},
                    **extra,
                )
            except AtiendeError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Customer created."))
                return redirect("customer", customer.pk)
    status = 422 if form.errors else 200
    return render(
        request,
        "web/customers/form.html",
        {"form": form, "customer": None, "organizations": _organization_names(who)},
        status=status,
    )


@staff_required
def customer_edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    who = actor(request)
    customer = get_customer(who, customer_id)
    if request.method == "POST":
        form = CustomerForm(
            request.POST, current=customer.custom_fields, organization_editable=is_admin(who)
        )
        if form.is_valid():
            found, organization_id = _organization_id(who, form)
            if found:
                changes: dict[str, Any] = {
                    "name": form.cleaned_data["name"],
                    "phone": form.cleaned_data["phone"],
                    "locale": form.cleaned_data["locale"],
                    "time_zone": form.cleaned_data["time_zone"],
                    "notes": form.cleaned_data["notes"],
                }
                if is_admin(who):  # read-only for agents (accounts.services.users)
                    changes["organization_id"] = organization_id
                if form.custom_field_names:
                    changes["custom_fields"] = form.custom_values()
                if form.cleaned_data["email"].strip().lower() != (customer.email or ""):
                    changes["email"] = form.cleaned_data["email"]
                try:
                    services.update_user(who, user_id=customer.pk, changes=changes)
                except AtiendeError as error:
                    apply_service_errors(form, error)
                else:
                    messages.success(request, _("Customer saved."))
                    return redirect("customer", customer.pk)
    else:
        form = CustomerForm.for_user(customer, organization_editable=is_admin(who))
    return render(
        request,
        "web/customers/form.html",
        {"form": form, "customer": customer, "organizations": _organization_names(who)},
        status=422 if form.errors else 200,
    )


def _customer_page(
    request: HttpRequest,
    customer: User,
    *,
    identity_form: IdentityForm | None = None,
    status: int = 200,
) -> HttpResponse:
    who = actor(request)
    panel = customer_panel(who, customer)
    search = SearchForm(request.GET)
    page, rows, error = ticket_page(
        visible_tickets(who).filter(requester=customer), search.page_cursor()
    )
    context = {
        "customer": customer,
        "panel": panel,
        "page": page,
        "rows": rows,
        "error": error,
        "identity_form": identity_form or IdentityForm(),
    }
    return render(request, "web/customers/detail.html", context, status=422 if error else status)


@staff_required
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    return _customer_page(request, get_customer(actor(request), customer_id))


@staff_required
@require_POST
def identity_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    who = actor(request)
    customer = get_customer(who, customer_id)
    form = IdentityForm(request.POST)
    if form.is_valid():
        try:
            services.add_identity(
                who,
                user_id=customer.pk,
                channel=form.cleaned_data["channel"],
                value=form.cleaned_data["value"],
            )
        except AtiendeError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Identity added."))
            return redirect(reverse("customer", args=[customer.pk]) + "#cx-identities")
    return _customer_page(request, customer, identity_form=form, status=422)


@staff_required
@require_POST
def identity_remove(request: HttpRequest, customer_id: int, identity_id: int) -> HttpResponse:
    who = actor(request)
    customer = get_customer(who, customer_id)
    try:
        services.remove_identity(who, user_id=customer.pk, identity_id=identity_id)
    except AtiendeError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Identity removed."))
    return redirect(reverse("customer", args=[customer.pk]) + "#cx-identities")


@staff_required
def merge_pick(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Find the duplicate to fold into this customer."""
    who = actor(request)
    customer = get_customer(who, customer_id)
    search = SearchForm(request.GET)
    query = search.query()
    candidates: list[User] = []
    if clean_query(query):
        candidates = list(
            customer_matches(who, query)
            .exclude(pk=customer.pk)
            .select_related("organization")
            .prefetch_related("identities")
            .order_by("name", "pk")[:MERGE_CANDIDATES]
        )
    return render(
        request,
        "web/customers/merge_pick.html",
        {"customer": customer, "search": search, "q": clean_query(query), "candidates": candidates},
    )


def _merge_roles(request: HttpRequest, customer: User, other_id: int) -> tuple[int, int, bool]:
    """(source, target, keep_other): by default the customer whose page this is survives;
    ``keep=other`` keeps the one picked instead (the richer record, say)."""
    data = request.POST if request.method == "POST" else request.GET
    if data.get("keep") == KEEP_OTHER:
        return customer.pk, other_id, True
    return other_id, customer.pk, False


@staff_required
def merge_confirm(request: HttpRequest, customer_id: int, source_id: int) -> HttpResponse:
    """What the merge moves, and the button that does it (``tickets.services.merge_customers``:
    the accounts services fold the duplicate, the tickets services move its tickets)."""
    who = actor(request)
    customer = get_customer(who, customer_id)
    source, target, keep_other = _merge_roles(request, customer, source_id)
    error: AtiendeError | None = None
    if request.method == "POST":
        try:
            ticket_services.merge_customers(who, source_id=source, target_id=target)
        except AtiendeError as failed:
            error = failed
        else:
            messages.success(request, _("The customers were merged."))
            return redirect("customer", target)
    context: dict[str, Any] = {
        "customer": customer,
        "keep_other": keep_other,
        "preview": None,
        "error": error,
    }
    try:
        preview = ticket_services.preview_merge(who, source_id=source, target_id=target)
    except AtiendeError as refused:
        context["error"] = refused
        return render(request, "web/customers/merge_confirm.html", context, status=refused.status)
    survivor_org = preview.target.organization or preview.organization
    context.update(
        preview=preview,
        tickets_organization=survivor_org.name if survivor_org is not None else "",
        moving_fields=field_values(
            CustomFieldTarget.USER,
            {k: preview.source.custom_fields[k] for k in preview.custom_field_keys},
        ),
    )
    return render(
        request,
        "web/customers/merge_confirm.html",
        context,
        status=error.status if error else 200,
    )

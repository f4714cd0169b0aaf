"""Organization pages: the list with search, create and edit (admins), and one organization
with its customers and tickets."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from atiende.accounts import services
from atiende.accounts.models import Organization, Role
from atiende.accounts.selectors import BY_NAME, visible_organizations, visible_users
from atiende.core.actor import Actor
from atiende.core.errors import AtiendeError, Invalid
from atiende.core.pagination import paginate
from atiende.search.customers import clean_query, organization_matches
from atiende.tickets.models import CustomFieldTarget
from atiende.tickets.selectors import visible_tickets
from atiende.web.common import actor, admin_required, current_user, staff_required
from atiende.web.customers.forms import OrganizationForm, SearchForm, apply_service_errors
from atiende.web.customers.panel import field_values
from atiende.web.customers.views import PAGE_SIZE, ticket_page

MEMBERS_SHOWN = 50


def organization_of(who: Actor, organization_id: int) -> Organization:
    org = visible_organizations(who).filter(pk=organization_id).first()
    if org is None:
        raise Http404
    return org


@staff_required
def organization_list(request: HttpRequest) -> HttpResponse:
    search = SearchForm(request.GET)
    query = search.query()
    orgs = organization_matches(actor(request), query).annotate(
        member_count=Count("members", distinct=True)
    )
    error = ""
    try:
        page = paginate(orgs, BY_NAME, limit=PAGE_SIZE, cursor=search.page_cursor())
    except Invalid as invalid:
        error = str(invalid.detail)
        page = paginate(orgs, BY_NAME, limit=PAGE_SIZE, cursor=None)
    context = {
        "search": search,
        "q": clean_query(query),
        "page": page,
        "error": error,
        "can_edit": current_user(request).is_admin,
    }
    return render(request, "web/customers/org_list.html", context, status=422 if error else 200)


@staff_required
def organization_detail(request: HttpRequest, organization_id: int) -> HttpResponse:
    who = actor(request)
    org = organization_of(who, organization_id)
    search = SearchForm(request.GET)
    members = list(
        visible_users(who)
        .filter(organization=org, role=Role.CUSTOMER, merged_into__isnull=True)
        .order_by("name", "pk")[: MEMBERS_SHOWN + 1]
    )
    page, rows, error = ticket_page(
        visible_tickets(who).filter(organization=org), search.page_cursor()
    )
    context = {
        "org": org,
        "fields": field_values(CustomFieldTarget.ORGANIZATION, org.custom_fields),
        "members": members[:MEMBERS_SHOWN],
        "more_members": len(members) > MEMBERS_SHOWN,
        "page": page,
        "rows": rows,
        "error": error,
        "can_edit": current_user(request).is_admin,
    }
    return render(request, "web/customers/org_detail.html", context, status=422 if error else 200)


@admin_required
def organization_new(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.create_organization(
                actor(request),
                name=form.cleaned_data["name"],
                domains=form.domain_list(),
                shared_tickets=form.cleaned_data["shared_tickets"],
                notes=form.cleaned_data["notes"],
                custom_fields={k: v for k, v in form.custom_values().items() if v is not None},
            )
        except AtiendeError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Organization created."))
            return redirect("organization", org.pk)
    return render(
        request,
        "web/customers/org_form.html",
        {"form": form, "org": None},
        status=422 if form.errors else 200,
    )


@admin_required
def organization_edit(request: HttpRequest, organization_id: int) -> HttpResponse:
    who = actor(request)
    org = organization_of(who, organization_id)
    if request.method == "POST":
        form = OrganizationForm(request.POST, current=org.custom_fields)
        if form.is_valid():
            changes = {
                "name": form.cleaned_data["name"],
                "domains": form.domain_list(),
                "shared_tickets": form.cleaned_data["shared_tickets"],
                "notes": form.cleaned_data["notes"],
            }
            if form.custom_field_names:
                changes["custom_fields"] = form.custom_values()
            try:
                services.update_organization(who, organization_id=org.pk, changes=changes)
            except AtiendeError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Organization saved."))
                return redirect("organization", org.pk)
    else:
        initial = {
            "name": org.name,
            "domains": "\n".join(d.domain for d in org.domains.all()),
            "shared_tickets": org.shared_tickets,
            "notes": org.notes,
        }
        form = OrganizationForm(initial=initial, current=org.custom_fields)
    return render(
        request,
        "web/customers/org_form.html",
        {"form": form, "org": org},
        status=422 if form.errors else 200,
    )

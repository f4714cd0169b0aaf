"""The customer portal's pages. Thin: parse, call one selector or service, render.

Customers only: someone signed out is sent to sign in and comes back; staff are sent to the
workspace. A request the customer may not see is "not found" (404), never "forbidden": the
gate (``tickets.selectors``) answers both the same way, so a guessed number tells nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from atiende.accounts.models import User
from atiende.accounts.services import update_user
from atiende.core.actor import Actor, Source
from atiende.core.errors import AtiendeError, Invalid, NotFound, PayloadTooLarge
from atiende.messaging.branding import Brand, brand_for, logo_of
from atiende.tickets.errors import StaleVersion
from atiende.tickets.models import StatusCategory, Ticket
from atiende.tickets.selectors import get_attachment, get_ticket
from atiende.tickets.services import store_attachment
from atiende.tickets.services.customer_requests import (
    can_reopen,
    reopen_days,
    reopen_own_ticket,
    reply_as_customer,
    solve_own_ticket,
)
from atiende.web.common import apply_errors
from atiende.web.portal import reads
from atiende.web.portal.forms import MAX_FILES, ProfileForm, ReplyForm, VersionForm
from atiende.web.portal.words import customer_words, style_of

V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def customer_view(view: V) -> V:
    """Customers only: signed out → sign in (and back); staff → the workspace."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not isinstance(user, User) or user.is_agent:
            return redirect("home")
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]  # same signature as ``view``


def _actor(request: HttpRequest) -> Actor:
    user = request.user
    assert isinstance(user, User)
    return Actor(user=user, source=Source.WEB)


def _brand(request: HttpRequest, ticket: Ticket | None = None) -> Brand:
    return brand_for(host=request.get_host(), ticket=ticket)


def _not_found(request: HttpRequest) -> HttpResponse:
    context = {"brand": _brand(request)}
    return render(request, "web/portal/not_found.html", context, status=404)


@customer_view
@require_GET
def requests_list(request: HttpRequest) -> HttpResponse:
    """ "My requests": the customer's own, or their organization's where the gate allows."""
    caller = _actor(request)
    filters = reads.Filters.parse(request.GET.get("whose"), request.GET.get("state"))
    shares = reads.shares_organization(caller)
    if not shares and filters.whose != "mine":
        filters = reads.Filters(whose="mine", state=filters.state)
    cursor = request.GET.get("after") or None
    error = ""
    try:
        page = reads.my_requests(caller, filters, cursor=cursor, limit=reads.PAGE_SIZE)
    except Invalid:
        error = _("That page of the list no longer exists; here is the first page.")
        page = reads.my_requests(caller, filters, cursor=None, limit=reads.PAGE_SIZE)
    rows = [
        {
            "ticket": ticket,
            "words": customer_words(ticket.status.category),
            "style": style_of(ticket.status.category),
            "mine": ticket.requester_id == caller.user_id,
            "requester": page.names.get(ticket.requester_id, ""),
        }
        for ticket in page.items
    ]
    context = {
        "brand": _brand(request),
        "rows": rows,
        "next_cursor": page.next_cursor,
        "filters": filters,
        "shares": shares,
        "first_page": cursor is None,
        "error": error,
        "section": "requests",
    }
    return render(request, "web/portal/list.html", context)


def _takes_replies(ticket: Ticket) -> bool:
    """Not closed, and not solved beyond the reopen window (the service decides; this only
    keeps the form off the page and files out of storage for a reply that would be refused)."""
    category = ticket.status.category
    if category in (StatusCategory.CLOSED, StatusCategory.CANCELLED):
        return False
    return category != StatusCategory.SOLVED or can_reopen(ticket)


def _page_context(
    request: HttpRequest, ticket: Ticket, form: ReplyForm | None = None
) -> dict[str, Any]:
    caller = _actor(request)
    category = ticket.status.category
    finished = category in (StatusCategory.CLOSED, StatusCategory.CANCELLED)
    solved = category == StatusCategory.SOLVED
    reopenable = solved and can_reopen(ticket)
    return {
        "brand": _brand(request, ticket),
        "ticket": ticket,
        "words": customer_words(category),
        "style": style_of(category),
        "conversation": reads.conversation(caller, ticket),
        "form": form or ReplyForm(initial={"version": ticket.version}),
        "is_requester": ticket.requester_id == caller.user_id,
        "closed": finished,
        "solved": solved,
        "reopenable": reopenable,
        "can_reply": _takes_replies(ticket),
        "reopen_days": reopen_days(),
        "max_files": MAX_FILES,
        "section": "requests",
    }


def _ticket_or_none(request: HttpRequest, ticket_id: int) -> Ticket | None:
    try:
        return get_ticket(_actor(request), ticket_id)
    except NotFound:
        return None


@customer_view
@require_GET
def request_page(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket_or_none(request, ticket_id)
    if ticket is None:
        return _not_found(request)
    return render(request, "web/portal/request.html", _page_context(request, ticket))


@customer_view
@require_POST
def reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Send a reply with its files (``reply_as_customer``); errors stay next to the form."""
    caller = _actor(request)
    ticket = _ticket_or_none(request, ticket_id)
    if ticket is None:
        return _not_found(request)
    form = ReplyForm(request.POST)
    files = request.FILES.getlist("files")
    status = 422
    if len(files) > MAX_FILES:
        form.add_error(None, _("Attach at most %(max)d files.") % {"max": MAX_FILES})
    if form.is_valid() and not form.errors:
        try:
            ids = [
                store_attachment(caller, ticket_id=ticket.pk, filename=f.name or "", stream=f).pk
                for f in (files if _takes_replies(ticket) else [])
            ]
            reply_as_customer(
                caller,
                ticket_id=ticket.pk,
                body=form.cleaned_data["body"],
                attachment_ids=ids,
                version=form.cleaned_data.get("version"),
            )
        except NotFound:
            return _not_found(request)
        except PayloadTooLarge as error:
            form.add_error(None, str(error.detail))
            status = 413
        except StaleVersion as error:
            form.add_error(None, str(error.detail))
            status = 409
            current = error.extra.get("ticket")
            if isinstance(current, Ticket):
                ticket = get_ticket(caller, current.pk)
                data = request.POST.copy()
                data["version"] = str(ticket.version)
                form.data = data
        except AtiendeError as error:
            apply_errors(form, error)
            status = error.status
        else:
            messages.success(request, _("Your reply was sent."))
            return redirect(reverse("portal-request", args=[ticket.pk]) + "#latest")
    page = _page_context(request, ticket, form)
    return render(request, "web/portal/request.html", page, status=status)


def _action(request: HttpRequest, ticket_id: int, action: Callable[..., Ticket], done: str) -> Any:
    form = VersionForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    try:
        action(_actor(request), ticket_id=ticket_id, version=version)
    except NotFound:
        return _not_found(request)
    except AtiendeError as error:  # a stale version, a closed request, the window passed
        messages.error(request, str(error.detail))
    else:
        messages.success(request, done)
    return redirect("portal-request", ticket_id)


@customer_view
@require_POST
def solve(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """ "Close my request": the requester marks it solved (it can be reopened for a while)."""
    result: HttpResponse = _action(
        request, ticket_id, solve_own_ticket, _("Your request is marked as solved.")
    )
    return result


@customer_view
@require_POST
def reopen(request: HttpRequest, ticket_id: int) -> HttpResponse:
    result: HttpResponse = _action(
        request, ticket_id, reopen_own_ticket, _("Your request is open again.")
    )
    return result


@customer_view
@require_GET
def attachment(request: HttpRequest, attachment_id: int) -> HttpResponseBase:
    """A file of a request the customer sees, always as a download: never a note's file nor
    someone else's unsent upload (``get_attachment``)."""
    try:
        file = get_attachment(_actor(request), attachment_id)
    except NotFound:
        return _not_found(request)
    response = FileResponse(
        file.file.open("rb"),
        as_attachment=True,
        filename=file.filename,
        content_type=file.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
def logo(request: HttpRequest, mailbox_id: int) -> HttpResponseBase:
    """A brand's logo (public: it shows before signing in), with the type sniffed at upload."""
    try:
        mailbox = logo_of(mailbox_id)
    except NotFound:
        return HttpResponse(status=404)
    response = FileResponse(mailbox.brand_logo.open("rb"), content_type=mailbox.brand_logo_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=300"
    return response


@customer_view
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """Name and language (what a customer may change on themselves); how they sign in."""
    caller = _actor(request)
    user = caller.user
    assert user is not None
    form = ProfileForm(
        request.POST or None, initial={"name": user.name, "locale": user.locale or ""}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                update_user(
                    caller,
                    user_id=user.pk,
                    changes={
                        "name": form.cleaned_data["name"],
                        "locale": form.cleaned_data["locale"],
                    },
                )
            except AtiendeError as error:
                apply_errors(form, error)
                status = error.status
            else:
                messages.success(request, _("Your profile was saved."))
                return redirect("portal-profile")
        else:
            status = 422
    context = {"brand": _brand(request), "form": form, "person": user, "section": "profile"}
    return render(request, "web/portal/profile.html", context, status=status)

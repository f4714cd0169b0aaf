"""The notification centre: the bell's panel, the full list, marking read.

Reads go through ``notifications.selectors`` (only the user's own, about tickets they may still
see); writes through ``notifications.services``.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from atiende.core.errors import AtiendeError
from atiende.notifications import selectors, services
from atiende.web.common import HtmxHttpRequest, actor, current_user, error_fragment, staff_required

PAGE_SIZE = 25


def _back(request: HttpRequest) -> HttpResponse:
    """Where a plain (no-JS) form returns: ``next`` if it is ours, else the full list."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications")


@staff_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    cursor = request.GET.get("cursor") or None
    error = None
    try:
        items, next_cursor = selectors.page(actor(request), cursor=cursor, limit=PAGE_SIZE)
    except AtiendeError as exc:
        items, next_cursor, error = [], None, exc
    context = {
        "items": items,
        "next_cursor": next_cursor,
        "error": error,
        "unread": services.unread_count(current_user(request)),
    }
    return render(
        request, "web/notifications/list.html", context, status=error.status if error else 200
    )


def _panel(request: HttpRequest) -> HttpResponse:
    context = {
        "items": selectors.latest(actor(request)),
        "unread": services.unread_count(current_user(request)),
    }
    return render(request, "web/notifications/_panel.html", context)


@staff_required
@require_GET
def panel(request: HttpRequest) -> HttpResponse:
    """The bell's drop-down: the latest few, fetched when it opens."""
    return _panel(request)


@staff_required
@require_POST
def read_one(request: HtmxHttpRequest, notification_id: int) -> HttpResponse:
    try:
        services.mark_read(actor(request), notification_id=notification_id)
    except AtiendeError as exc:
        if request.htmx:
            return error_fragment(request, exc)
        raise Http404(str(exc.detail)) from None
    if request.htmx:
        return render(
            request,
            "web/notifications/_count.html",
            {"unread": services.unread_count(current_user(request)), "oob": False},
        )
    return _back(request)


@staff_required
@require_POST
def read_all(request: HtmxHttpRequest) -> HttpResponse:
    services.mark_all_read(actor(request))
    if request.htmx:
        return _panel(request)
    return _back(request)

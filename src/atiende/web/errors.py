"""The workspace's error pages: 403, 404 and 500 inside the layout, translated; never a bare
"Not Found".

Django calls these for every URL (``handler403``/``handler404``/``handler500`` in the root
URLconf). A signed-in agent sees them inside the workspace, with its navigation; anyone else
sees the plain frame. An htmx fragment request gets a short message to show where it wanted
its answer (``app.js`` swaps 4xx answers), and a ticket that left the agent's sight sends them
to the inbox, which says why (``back_to_inbox``).
"""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from atiende.accounts.models import User
from atiende.core.actor import Actor, Source
from atiende.core.permissions import is_staff

logger = logging.getLogger(__name__)


class TicketGone(Http404):
    """A ticket the caller cannot (or can no longer) see: raised by ``load_ticket`` and read
    by ``not_found`` (missing and invisible alike, so existence is never leaked)."""

    def __init__(self, number: int | None = None) -> None:
        self.number = number
        super().__init__("ticket not found")


def _is_agent(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return isinstance(user, User) and user.is_active and is_staff(Actor(user, Source.WEB))


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


GONE = "gone"  # the inbox's query parameter naming the ticket that left the agent's sight


def gone_message(number: int | None) -> str:
    if number is not None:
        return _(
            "Ticket #%(number)s is no longer visible to you, so you are back in the inbox."
        ) % {"number": number}
    return _(
        "That ticket does not exist or is no longer visible to you, so you are back in the inbox."
    )


def _as_number(value: str) -> int | None:
    """A ticket number typed by anyone (a URL, a header): plain ASCII digits of a sane length,
    else None — never ``int()``'s ValueError on "²" or on 5,000 digits."""
    return int(value) if value.isascii() and value.isdecimal() and len(value) <= 18 else None


def gone_notice(request: HttpRequest) -> str | None:
    """The message for the inbox reached by ``back_to_inbox``, read from its own URL.

    The redirect carries it instead of the message storage: several fragments of the ticket
    page hear the same 404 at once, and their responses raced the inbox page for the storage
    cookie, so the message was sometimes lost.
    """
    value = request.GET.get(GONE)
    if value is None:
        return None
    return gone_message(_as_number(value))


def back_to_inbox(request: HttpRequest, number: int | None, *, status: int = 200) -> HttpResponse:
    """Take the agent to the inbox, which says why (``gone_notice``): an htmx redirect (htmx
    follows ``HX-Redirect`` whatever the status) for a fragment request, a plain one otherwise."""
    inbox = f"{reverse('inbox')}?{urlencode({GONE: '' if number is None else number})}"
    if _is_htmx(request):
        response = HttpResponse(status=status)
        response["HX-Redirect"] = inbox
        return response
    response = HttpResponse(status=303)
    response["Location"] = inbox
    return response


def _page(
    request: HttpRequest, *, status: int, title: str | Promise, text: str | Promise
) -> HttpResponse:
    if _is_htmx(request):
        return render(
            request,
            "web/errors/_message.html",
            {"title": title, "text": text},
            status=status,
        )
    context = {"title": title, "text": text}
    return render(request, "web/errors/page.html", context, status=status)


def _number_on_page(request: HttpRequest) -> int | None:
    """The number of the ticket the agent's page shows, which its fragment requests carry
    (``X-Atiende-Ticket-Number``): a ticket loaded by id that left their sight cannot be told
    by number without telling who may not know it, but the page already knew."""
    return _as_number(request.headers.get("X-Atiende-Ticket-Number", ""))


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, TicketGone) and _is_agent(request):
        if _is_htmx(request):
            number = exception.number or _number_on_page(request)
            return back_to_inbox(request, number, status=404)
        return _page(
            request,
            status=404,
            title=_("Ticket not found"),
            text=_("This ticket does not exist or is no longer visible to you."),
        )
    return _page(
        request,
        status=404,
        title=_("Not found"),
        text=_("There is nothing here, or it is no longer visible to you."),
    )


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        status=403,
        title=_("Not allowed"),
        text=_("Your account cannot open this page."),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """Inside the layout when it can be drawn; a plain page when drawing it fails too."""
    title, text = _("Server error"), _("Something went wrong on our side.")
    try:
        return _page(request, status=500, title=title, text=text)
    except Exception:
        logger.exception("the error page could not be drawn in the layout")
        body = render_to_string("web/errors/500_plain.html", {"title": title, "text": text})
        return HttpResponse(body, status=500)

"""The quarantine (admins): inbound mail that could not become a ticket message, why, and
what to do with it (retry, create a ticket anyway, discard)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from atiende.core.errors import AtiendeError
from atiende.core.pagination import SortKey, paginate
from atiende.messaging import selectors, services
from atiende.messaging.models import InboundMessage
from atiende.web.common import actor
from atiende.web.mail.original import read_original
from atiende.web.setup.common import cursor_of, settings_view

PAGE_SIZE = 50
NEWEST_FIRST = SortKey("received_at", True, datetime.datetime)
ACTIONS: dict[str, tuple[Callable[..., InboundMessage], Promise]] = {
    # in the URL → (the service, what to say when done)
    "retry": (services.retry_inbound, gettext_lazy("The message was processed again.")),
    "create-ticket": (
        services.create_ticket_anyway,
        gettext_lazy("A ticket was created from the quarantined message."),
    ),
    "discard": (services.discard_inbound, gettext_lazy("The message was discarded.")),
}


@settings_view
@require_GET
def quarantine_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    rows = selectors.quarantined(actor(request), state=state if state in selectors.HELD else None)
    found = paginate(rows, NEWEST_FIRST, limit=PAGE_SIZE, cursor=cursor_of(request))
    context = {"section": "quarantine", "page": found, "state": state}
    return render(request, "web/mail/quarantine.html", context)


@settings_view
@require_GET
def quarantine_detail(request: HttpRequest, inbound_id: int) -> HttpResponse:
    inbound = selectors.get_inbound(actor(request), inbound_id, with_raw=True)
    context = {
        "section": "quarantine",
        "inbound": inbound,
        "original": read_original(bytes(inbound.raw)),
        "quarantined": inbound.state in selectors.HELD,  # the actions apply to both
    }
    return render(request, "web/mail/quarantine_detail.html", context)


def raw_response(inbound: InboundMessage) -> HttpResponse:
    """The raw bytes as a download that no browser will render."""
    response = HttpResponse(bytes(inbound.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="message-{inbound.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@settings_view
@require_GET
def quarantine_raw(request: HttpRequest, inbound_id: int) -> HttpResponse:
    return raw_response(selectors.get_inbound(actor(request), inbound_id, with_raw=True))


@settings_view
@require_POST
def quarantine_action(request: HttpRequest, inbound_id: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    caller = actor(request)
    inbound = selectors.get_inbound(caller, inbound_id)
    function, done = ACTIONS[action]
    try:
        function(caller, inbound_id=inbound.pk)
    except AtiendeError as error:
        messages.error(request, str(error.detail))
        return redirect("mail-quarantine-detail", inbound_id=inbound.pk)
    messages.success(request, str(done))
    if action == "discard":
        return redirect("mail-quarantine")
    inbound = selectors.get_inbound(caller, inbound.pk)
    if action == "create-ticket" and inbound.ticket_id is not None:
        return redirect("ticket", ticket_id=inbound.ticket_id)
    return redirect("mail-quarantine-detail", inbound_id=inbound.pk)

"""The quarantine (admins): inbound mail that could not become a ticket message, why, and
what to do with it (retry, create a ticket anyway, discard)."""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from atiende.accounts.services.common import require_admin
from atiende.core.actor import Actor
from atiende.core.errors import AtiendeError, NotFound
from atiende.core.pagination import SortKey, paginate
from atiende.messaging.models import InboundMessage, InboundState
from atiende.web.common import actor
from atiende.web.mail.original import read_original
from atiende.web.setup.common import cursor_of, settings_view

PAGE_SIZE = 50
LISTED = (InboundState.QUARANTINED, InboundState.IGNORED)
NEWEST_FIRST = SortKey("received_at", True, datetime.datetime)
ACTIONS: dict[str, tuple[str, Promise]] = {
    # in the URL → (the `messaging.services` function, what to say when done)
    "retry": ("retry_inbound", gettext_lazy("The message was processed again.")),
    "create-ticket": (
        "create_ticket_anyway",
        gettext_lazy("A ticket was created from the quarantined message."),
    ),
    "discard": ("discard_inbound", gettext_lazy("The message was discarded.")),
}
LIST_FIELDS = (
    "pk",
    "received_at",
    "sender",
    "subject",
    "size",
    "reason",
    "recipient",
    "source",
    "state",
    "mailbox__address",
)


def get_inbound(caller: Actor, inbound_id: int, *, with_raw: bool = False) -> InboundMessage:
    require_admin(caller)
    rows = InboundMessage.objects.select_related("mailbox", "ticket")
    if not with_raw:
        rows = rows.defer("raw")
    found = rows.filter(pk=inbound_id).first()
    if found is None:
        raise NotFound(_("Inbound message not found."))
    return found


@settings_view
@require_GET
def quarantine_list(request: HttpRequest) -> HttpResponse:
    require_admin(actor(request))
    rows = (
        InboundMessage.objects.filter(state__in=_listed(request))
        .select_related("mailbox")
        .only(*[f for f in LIST_FIELDS if f != "mailbox__address"], "mailbox__address")
    )
    found = paginate(rows, NEWEST_FIRST, limit=PAGE_SIZE, cursor=cursor_of(request))
    context = {"section": "quarantine", "page": found, "state": request.GET.get("state", "")}
    return render(request, "web/mail/quarantine.html", context)


def _listed(request: HttpRequest) -> tuple[str, ...]:
    """Quarantined and ignored mail (nothing off a ticket is hidden), or the one state asked."""
    wanted = request.GET.get("state", "")
    return (wanted,) if wanted in LISTED else LISTED


@settings_view
@require_GET
def quarantine_detail(request: HttpRequest, inbound_id: int) -> HttpResponse:
    inbound = get_inbound(actor(request), inbound_id, with_raw=True)
    context = {
        "section": "quarantine",
        "inbound": inbound,
        "original": read_original(bytes(inbound.raw)),
        "quarantined": inbound.state in LISTED,  # the actions apply to both
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
    return raw_response(get_inbound(actor(request), inbound_id, with_raw=True))


def _service(name: str) -> Callable[..., Any] | None:
    try:
        module = importlib.import_module("atiende.messaging.services")
    except ModuleNotFoundError:
        return None
    found = getattr(module, name, None)
    return found if callable(found) else None


@settings_view
@require_POST
def quarantine_action(request: HttpRequest, inbound_id: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    caller = actor(request)
    inbound = get_inbound(caller, inbound_id)
    name, done = ACTIONS[action]
    function = _service(name)
    if function is None:
        messages.error(request, _("This action is not available in this version yet."))
        return redirect("mail-quarantine-detail", inbound_id=inbound.pk)
    try:
        function(caller, inbound_id=inbound.pk)
    except AtiendeError as error:
        messages.error(request, str(error.detail))
        return redirect("mail-quarantine-detail", inbound_id=inbound.pk)
    messages.success(request, str(done))
    if action == "discard":
        return redirect("mail-quarantine")
    inbound = get_inbound(caller, inbound.pk)
    if action == "create-ticket" and inbound.ticket_id is not None:
        return redirect("ticket", ticket_id=inbound.ticket_id)
    return redirect("mail-quarantine-detail", inbound_id=inbound.pk)

"""The channel quarantine (admins): webhook payloads that could not be processed, why, and
what to do with each (retry, discard). Mail has its own (``web/mail/quarantine_views``)."""

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
from atiende.messaging.channels import selectors, services
from atiende.messaging.models import ChannelPayload, ChannelPayloadState
from atiende.web.common import actor
from atiende.web.setup.common import cursor_of, settings_view

PAGE_SIZE = 50
NEWEST_FIRST = SortKey("received_at", True, datetime.datetime)
SECTION = "channel-quarantine"
ACTIONS: dict[str, tuple[Callable[..., ChannelPayload], Promise]] = {
    # in the URL → (the service, what to say when done)
    "retry": (services.retry_payload, gettext_lazy("The payload was processed again.")),
    "discard": (services.discard_payload, gettext_lazy("The payload was put aside.")),
}


@settings_view
@require_GET
def quarantine_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "quarantined")
    shown = state if state in services.HELD else None
    rows = selectors.held_payloads(actor(request), state=shown)
    found = paginate(rows, NEWEST_FIRST, limit=PAGE_SIZE, cursor=cursor_of(request))
    context = {"section": SECTION, "page": found, "state": shown or ""}
    return render(request, "web/channels/quarantine.html", context)


@settings_view
@require_GET
def payload_detail(request: HttpRequest, payload_id: int) -> HttpResponse:
    payload = selectors.get_payload(actor(request), payload_id)
    preview, cut = selectors.body_preview(payload)
    context = {
        "section": SECTION,
        "payload": payload,
        "headers": sorted((payload.headers or {}).items()),
        "preview": preview,
        "cut": cut,
        "size": len(bytes(payload.body)),
        "held": payload.state in services.HELD,
        "quarantined": payload.state == ChannelPayloadState.QUARANTINED,
    }
    return render(request, "web/channels/payload.html", context)


@settings_view
@require_POST
def payload_action(request: HttpRequest, payload_id: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    function, done = ACTIONS[action]
    try:
        function(actor(request), payload_id=payload_id)
    except AtiendeError as error:
        if error.status == 404:
            raise
        messages.error(request, str(error.detail))
        return redirect("channels-payload", payload_id=payload_id)
    messages.success(request, str(done))
    if action == "discard":
        return redirect("channels-quarantine")
    return redirect("channels-payload", payload_id=payload_id)

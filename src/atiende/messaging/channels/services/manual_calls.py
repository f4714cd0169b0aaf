"""A call logged by hand: an agent who took (or made) a call the PBX does not tell us about
writes it on the ticket, and it reads like any other call in the timeline.

The same ``Call`` row and the same call log entry (``call_log.log_text``, an internal note on
the channel "phone") as a call told by a PBX, with no account, the agent as the one who took
it and as its author.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import ErrorCollector, Invalid
from atiende.core.permissions import require_staff
from atiende.core.services import clean_phone
from atiende.core.text import clean_text
from atiende.messaging.channels.providers.phone import MAX_CALL_SECONDS, normalise_number
from atiende.messaging.channels.services.call_log import log_text
from atiende.messaging.models import Call, CallDirection, CallState
from atiende.tickets import services as tickets
from atiende.tickets.models import Channel
from atiende.tickets.selectors import get_ticket

MAX_NOTE = 5_000


def log_call(
    actor: Actor,
    *,
    ticket_id: int,
    direction: str,
    number: str,
    duration: int,
    note: str = "",
) -> Call:
    """Log a call of ``duration`` seconds with ``number`` (the customer's side) on the ticket."""
    require_staff(actor)
    errors = ErrorCollector()
    if direction not in CallDirection.values:
        errors.add("direction", _("Choose inbound or outbound."))
    cleaned = ""
    try:
        cleaned = normalise_number(clean_phone(number, "number"))
    except Invalid as error:
        errors.errors += error.errors
    if not isinstance(duration, int) or not 0 <= duration <= MAX_CALL_SECONDS:
        errors.add("duration", _("The duration must be 0 to 7 days."))
    text = clean_text(note).strip()
    if len(text) > MAX_NOTE:
        errors.add("note", _("At most %(max)d characters.") % {"max": MAX_NOTE})
    errors.raise_if_any()
    ticket = get_ticket(actor, ticket_id)
    now = timezone.now()
    inbound = direction == CallDirection.INBOUND
    call = Call(
        direction=direction,
        caller=cleaned if inbound else "",
        called="" if inbound else cleaned,
        customer_id=ticket.requester_id,
        agent=actor.user,
        logged_by=actor.user,
        state=CallState.ENDED,
        started_at=now - timedelta(seconds=duration),
        answered_at=(now - timedelta(seconds=duration)) if duration else None,
        ended_at=now,
        duration=duration,
        note=text,
    )
    with transaction.atomic():
        message = tickets.add_message(
            actor,
            ticket_id=ticket.pk,
            body=log_text(call),
            public=False,
            channel=Channel.PHONE,
        )
        call.ticket_id = ticket.pk
        call.message = message
        call.save()
    return call

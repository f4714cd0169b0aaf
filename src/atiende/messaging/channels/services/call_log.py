"""A call written into a ticket's conversation: the call log entry, an internal note on the
channel "phone", on the caller's open ticket or a new one.

Why a note and not a public message: nobody wrote these words to the customer, and a call's
facts (who took it, how long, the recording) are for the team. Why the customer's open ticket
*on this phone account*: a caller who rings again about the same thing continues the same
conversation, as a second WhatsApp message does; a call on another line (another brand) starts
its own. Called by ``calls`` inside the payload's transaction, and by ``log_call`` (an agent
logging a call by hand).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from atiende.accounts.models import User
from atiende.core.actor import Actor
from atiende.messaging.models import Call, CallDirection, CallState, ChannelAccount
from atiende.tickets import services as tickets
from atiende.tickets.errors import TicketClosed
from atiende.tickets.models import ACTIVE_CATEGORIES, Channel, Message
from atiende.tickets.selectors import opening_message

CALLBACK_TAG = "callback"


def duration_text(seconds: int) -> str:
    """ "3 min 12 s", "45 s", "1 h 2 min": what a person reads at a glance."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)d min %(seconds)d s") % {"minutes": minutes, "seconds": secs}
    return _("%(seconds)d s") % {"seconds": secs}


def customer_number(call: Call) -> str:
    """The customer's side of the call: who rang us, or whom we rang."""
    return call.called if call.direction == CallDirection.OUTBOUND else call.caller


def caller_label(call: Call, customer: User | None) -> str:
    """ "Lucía Pérez (+34600123456)", or the number alone for a customer with no name."""
    number = customer_number(call) or _("an unknown number")
    name = customer.name.strip() if customer is not None else ""
    return f"{name} ({number})" if name and name != number else number


def log_text(call: Call) -> str:
    """The call log entry: direction, number, agent, duration, and the note typed by hand."""
    number = customer_number(call) or _("unknown number")
    if call.state == CallState.MISSED:
        lines = [_("📞 Missed call from %(number)s.") % {"number": number}]
    elif call.direction == CallDirection.OUTBOUND:
        lines = [_("📞 Outbound call to %(number)s.") % {"number": number}]
    else:
        lines = [_("📞 Inbound call from %(number)s.") % {"number": number}]
    ours = call.caller if call.direction == CallDirection.OUTBOUND else call.called
    if ours:
        lines.append(_("Line: %(number)s") % {"number": ours})
    if call.state != CallState.MISSED:
        agent = (call.agent.display_name if call.agent is not None else call.agent_address) or _(
            "unknown"
        )
        lines.append(_("Agent: %(agent)s") % {"agent": agent})
        if call.answered_at is None and call.duration == 0:
            lines.append(_("Not answered."))
        else:
            lines.append(_("Duration: %(duration)s") % {"duration": duration_text(call.duration)})
    else:
        lines.append(_("Call them back."))
    if call.note.strip():
        lines.append("")
        lines.append(call.note.strip())
    return "\n".join(lines)


def open_call_ticket(account: ChannelAccount | None, customer: User) -> int | None:
    """The customer's newest ticket that a call on ``account`` was logged on, if still open."""
    found = (
        Call.objects.filter(account=account, customer=customer, ticket__isnull=False)
        .filter(ticket__status__category__in=ACTIVE_CATEGORIES, ticket__merged_into__isnull=True)
        .order_by("-id")
        .values_list("ticket_id", flat=True)
        .first()
    )
    return int(found) if found is not None else None


def open_callback_ticket(account: ChannelAccount | None, customer: User) -> int | None:
    """The customer's open ticket of an earlier missed call on ``account``: a caller who rings
    five times while nobody answers gets one callback ticket, not five."""
    found = (
        Call.objects.filter(
            account=account, customer=customer, state=CallState.MISSED, ticket__isnull=False
        )
        .filter(ticket__status__category__in=ACTIVE_CATEGORIES, ticket__merged_into__isnull=True)
        .order_by("-id")
        .values_list("ticket_id", flat=True)
        .first()
    )
    return int(found) if found is not None else None


def write_log(actor: Actor, call: Call, customer: User) -> Message:
    """Log ``call`` (ended or missed) on a ticket and link the two; the caller's ticket when
    one is open, else a new ticket in the account's group."""
    account = call.account
    body = log_text(call)
    missed = call.state == CallState.MISSED
    ticket_id = (
        open_callback_ticket(account, customer) if missed else open_call_ticket(account, customer)
    )
    message = None
    if ticket_id is not None:
        try:
            with transaction.atomic():
                message = tickets.add_message(
                    actor,
                    ticket_id=ticket_id,
                    body=body,
                    public=False,
                    channel=Channel.PHONE,
                    external_id=call.provider_call_id,
                )
        except TicketClosed:
            message = None  # merged a moment ago: a new ticket, as below
    if message is None:
        label = caller_label(call, customer)
        subject = (
            _("Missed call from %(caller)s") % {"caller": label}
            if missed
            else _("Call from %(caller)s") % {"caller": label}
        )
        ticket = tickets.open_ticket(
            actor,
            subject=subject[:200],
            body=body,
            requester=customer,
            public=False,
            channel=Channel.PHONE,
            group_id=account.group_id if account is not None else None,
            tags=[CALLBACK_TAG] if missed else [],
            external_id=call.provider_call_id,
        )
        message = opening_message(ticket)
    call.ticket_id = message.ticket_id
    call.message = message
    return message

"""The screen-pop: a ringing call shown at once to the staff who answer the line.

One personal live event (``call.ringing``, ``user_id`` set) per staff member who may see the
phone account's group (``visibility.staff_seeing``: the group's agents and the admins; every
active agent and admin for an account in no group). Each carries the caller's customer and
*their* open tickets: the customer's open tickets are read once, then filtered by each
viewer's own scope, so nobody is shown a ticket they could not open. Written in the payload's
transaction through ``realtime.log`` like every live event: it reaches the workspace only if
the call was written. ``call.updated`` follows when the call is answered or ends, for the
pop-up to say so (and close).
"""

from __future__ import annotations

from typing import Any

from atiende.accounts.models import User
from atiende.core.actor import Actor
from atiende.messaging.models import Call, ChannelAccount
from atiende.realtime import log
from atiende.tickets.models import ACTIVE_CATEGORIES
from atiende.tickets.selectors import visible_tickets
from atiende.tickets.visibility import ROUTING, load_viewers, staff_seeing

READER = Actor.system("calls")
RINGING = "call.ringing"
UPDATED = "call.updated"
MAX_TICKETS = 10  # newest first; the customer's page lists the rest
MAX_AUDIENCE = 500  # more staff than this on one line is a misconfiguration, not a pop-up


def audience(account: ChannelAccount | None) -> list[int]:
    """The staff who answer ``account``'s calls, by id."""
    group_id = account.group_id if account is not None else None
    return list(
        User.objects.filter(staff_seeing(group_id=group_id, assignee_id=None))
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)[:MAX_AUDIENCE]
    )


def _open_tickets(customer: User | None) -> list[dict[str, Any]]:
    if customer is None:
        return []
    return list(
        visible_tickets(READER)
        .filter(
            requester=customer,
            status__category__in=ACTIVE_CATEGORIES,
            merged_into__isnull=True,
        )
        .order_by("-last_message_at", "-pk")
        .values("pk", "number", "subject", *ROUTING)[: MAX_TICKETS * 5]
    )


def _call_fields(call: Call) -> dict[str, Any]:
    return {
        "call_id": call.pk,
        "state": str(call.state),
        "direction": str(call.direction),
        "number": call.called if call.direction == "outbound" else call.caller,
        "line": call.called if call.direction == "inbound" else call.caller,
        "account": call.account.name if call.account is not None else "",
    }


def pop_up(call: Call, customer: User | None) -> int:
    """Tell each staff member of the line about the ringing call; how many were told."""
    staff = audience(call.account)
    if not staff:
        return 0
    viewers = load_viewers(staff)
    rows = _open_tickets(customer)
    caller = (
        {
            "id": customer.pk,
            "name": customer.display_name,
            "email": customer.email or "",
        }
        if customer is not None
        else None
    )
    told = 0
    for user_id in staff:
        viewer = viewers.get(user_id)
        if viewer is None or not viewer.is_staff:
            continue
        theirs = [
            {"id": row["pk"], "number": row["number"], "subject": row["subject"]}
            for row in rows
            if viewer.scope.admits_row(row)
        ][:MAX_TICKETS]
        log.append(
            RINGING,
            payload={**_call_fields(call), "customer": caller, "tickets": theirs},
            user_id=user_id,
        )
        told += 1
    return told


def tell_update(call: Call) -> None:
    """The ringing call was answered, ended or missed: the pop-ups say so."""
    agent = call.agent.display_name if call.agent is not None else call.agent_address
    for user_id in audience(call.account):
        log.append(UPDATED, payload={**_call_fields(call), "agent": agent}, user_id=user_id)

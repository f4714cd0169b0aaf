"""Inbound mail that is on no ticket (quarantined or ignored), for administrators to see.

Nothing the pipeline keeps off a ticket disappears where no one can see it: our own mail
coming back, a second delivery, a bounce for mail we never sent, a rate-limited storm, a
loop, an unreadable or untrustworthy message. Each is listed here with its reason, newest
first, and can be released (`messaging.services.create_ticket_anyway`), retried or
discarded.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import Invalid, NotFound
from atiende.core.pagination import Page, SortKey, paginate
from atiende.messaging.models import InboundMessage
from atiende.messaging.services import DECIDABLE, require_admin

NEWEST_FIRST = SortKey("received_at", True, datetime.datetime)
LIST_FIELDS = (
    "id",
    "received_at",
    "state",
    "reason",
    "sender",
    "subject",
    "size",
    "source",
    "recipient",
    "auto_generated",
    "mailbox_id",
    "ticket_id",
)


def held_mail(
    actor: Actor, *, state: str | None = None, limit: int = 50, cursor: str | None = None
) -> Page[InboundMessage]:
    """One page of quarantined and ignored mail (or only ``state``), newest first."""
    require_admin(actor)
    if state is not None and state not in DECIDABLE:
        raise Invalid.field(
            "state", _("Choose one of: %(choices)s.") % {"choices": ", ".join(DECIDABLE)}
        )
    rows = InboundMessage.objects.filter(state__in=(state,) if state else DECIDABLE)
    return paginate(rows.only(*LIST_FIELDS), NEWEST_FIRST, limit=limit, cursor=cursor)


def held_message(actor: Actor, inbound_id: int) -> InboundMessage:
    """One inbound message (any state: after a release it shows its ticket), without raw."""
    require_admin(actor)
    found = InboundMessage.objects.defer("raw").filter(pk=inbound_id).first()
    if found is None:
        raise NotFound(_("Inbound message not found."))
    return found

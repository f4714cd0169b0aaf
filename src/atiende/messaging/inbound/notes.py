"""Mail that joins a ticket as an internal note, not as a message of the conversation.

Two kinds: an automatic reply (out of office, vacation) and a mail from a staff address that
is not proven to be from that person (`messaging.inbound.authentication`). Both are shown on
the ticket with what they are, and neither may act: an internal note changes no status,
counts as no response, and is never mailed to the customer. The note is written by the
channel (no author), so it never looks like the agent's or the customer's own words; the
whole original, attachments included, stays one click away ("Show original").
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _

from atiende.accounts.models import User
from atiende.core.actor import Actor
from atiende.messaging.email.parse import ParsedEmail
from atiende.messaging.inbound.authentication import staff_proof
from atiende.messaging.models import InboundMessage, InboundSource
from atiende.tickets.models import Channel, Message, Ticket
from atiende.tickets.services import add_message

MAX_NOTE = 100_000


class NoteKind(StrEnum):
    AUTOMATIC = "automatic"
    UNVERIFIED = "unverified"


def heading(kind: NoteKind, sender: str) -> str:
    """The line that says what the note is, first in its text."""
    if kind == NoteKind.AUTOMATIC:
        return _("Automatic reply from %(sender)s (changes nothing on the ticket):") % {
            "sender": sender
        }
    return _(
        "Sender not verified: this mail claims to be from %(sender)s but carries no proof "
        "(not authenticated, not an answer to our mail to them). It was not sent to anyone."
    ) % {"sender": sender}


def post_note(
    channel: Actor, ticket: Ticket, parsed: ParsedEmail, kind: NoteKind, sender: str, text: str
) -> Message:
    """Add the mail to ``ticket`` as an internal note headed by what it is."""
    subject = " ".join(parsed.subject.split())
    lines = [heading(kind, sender)]
    if subject:
        lines.append(_("Subject: %(subject)s") % {"subject": subject})
    body = "\n".join(lines) + "\n\n" + text.strip()
    return add_message(
        channel,
        ticket_id=ticket.pk,
        body=body[:MAX_NOTE],
        public=False,
        channel=Channel.EMAIL,
        external_id=parsed.message_id,
    )


def note_kind(
    row: InboundMessage, parsed: ParsedEmail, author: User, ticket: Ticket
) -> NoteKind | None:
    """What a reply into ``ticket`` must become instead of a message, if anything.

    An import of old mail is the administrator's own archive: its staff replies stand (they
    are never mailed again). No query for a customer's ordinary reply, only parsed flags.
    """
    if parsed.auto_reply:
        return NoteKind.AUTOMATIC
    if not author.is_agent or row.source == InboundSource.IMPORT:
        return None
    return None if staff_proof(parsed, row.mailbox, author, ticket) else NoteKind.UNVERIFIED

"""A visitor's message written into the chat's ticket, and a visitor's file stored for it.

The first message opens a ticket with channel ``chat`` in the widget's group; later ones are
added to it (``tickets.services``), so the transcript is the ticket's conversation. A message
carries the widget's client id: a resend after a reconnection finds its receipt and is not
written twice. A closed ticket gets a follow-up ticket, as a customer's mail would. A new
ticket of a chat the bot does not answer is queued for assignment at once (``queue_chat``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.accounts.models import IdentityChannel, User
from atiende.accounts.services import (
    find_or_create_customer,
    find_or_create_customer_by_identity,
)
from atiende.core.errors import Invalid, NotFound, PayloadTooLarge
from atiende.core.text import clean_text
from atiende.messaging.chat import config
from atiende.messaging.chat.services import channel_actor, missing_answers, queue_chat
from atiende.messaging.models import ChatHandler, ChatReceipt, ChatSession, ChatState
from atiende.tickets import services as tickets
from atiende.tickets.errors import TicketClosed
from atiende.tickets.models import Attachment, Channel, StatusCategory
from atiende.tickets.selectors import count_waiting_uploads, opening_message
from atiende.tickets.services.attachments import Readable, attach_file, write_file
from atiende.tickets.services.intake import add_channel_message

SUBJECT_LENGTH = 80
CLOSED = (StatusCategory.CLOSED, StatusCategory.CANCELLED)


@dataclass(frozen=True)
class Posted:
    """The message written (or found again for a resend) and the ticket it is on."""

    message_id: int
    ticket_id: int
    duplicate: bool


def clean_client_id(value: object) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > 64 or not text.isprintable():
        raise Invalid.field("client_id", _("Each message needs a client id of 1 to 64 characters."))
    return text


def clean_body(text: object, attachment_ids: Sequence[int]) -> str:
    body = clean_text(text).strip() if isinstance(text, str) else ""
    if len(body) > config.MAX_TEXT:
        raise Invalid.field(
            "text", _("A message has at most %(max)d characters.") % {"max": config.MAX_TEXT}
        )
    if not body and not attachment_ids:
        raise Invalid.field("text", _("The message is empty."))
    return body


def clean_attachment_ids(value: object) -> list[int]:
    if value is None:
        return []
    if (
        not isinstance(value, list)
        or len(value) > config.MAX_ATTACHMENTS
        or not all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in value)
    ):
        raise Invalid.field(
            "attachment_ids",
            _("Give at most %(max)d file ids.") % {"max": config.MAX_ATTACHMENTS},
        )
    return sorted(set(value))


def requester_of(session: ChatSession) -> User:
    """Who the chat is from: the signed-in customer, else the pre-chat email's person, else
    an anonymous visitor known by the chat's visitor key."""
    if session.customer is not None and session.customer.is_active:
        return session.customer
    actor = channel_actor(session.widget)
    language = session.language or session.widget.language
    if session.email:
        return find_or_create_customer(
            actor, email=session.email, name=session.name, field="email", language=language
        )
    return find_or_create_customer_by_identity(
        actor,
        channel=IdentityChannel.CHAT,
        address=f"visitor-{session.visitor_key}",
        name=session.name or _("Chat visitor %(key)s") % {"key": session.visitor_key[:6]},
        language=language,
        field="email",
    )


def subject_for(body: str, session: ChatSession) -> str:
    for text in body.splitlines():
        words = " ".join(text.split())
        if words:
            return words if len(words) <= SUBJECT_LENGTH else words[: SUBJECT_LENGTH - 1] + "…"
    return _("Chat with %(name)s") % {"name": session.name or _("a visitor")}


def post_message(
    session: ChatSession, *, client_id: object, text: object, attachment_ids: object = None
) -> Posted:
    """Write the visitor's message once per client id; open the chat's ticket if it has none."""
    cid = clean_client_id(client_id)
    files = clean_attachment_ids(attachment_ids)
    body = clean_body(text, files)
    missing = missing_answers(session)
    if missing:
        raise Invalid.field(missing[0], _("Answer the form before the first message."))
    if session.state == ChatState.ENDED:
        raise Invalid.field("session", _("This chat has ended; start a new one."))
    requester = requester_of(session)
    with transaction.atomic():
        # A write first (the visitor is here): it orders two sockets of one visitor.
        ChatSession.objects.filter(pk=session.pk).update(visitor_seen_at=timezone.now())
        row = ChatSession.objects.select_related("widget").get(pk=session.pk)
        receipt = ChatReceipt.objects.filter(session=row, client_id=cid).first()
        if receipt is not None and receipt.message_id is not None:
            ticket_id = row.ticket_id or 0
            return Posted(receipt.message_id, ticket_id, duplicate=True)
        try:
            with transaction.atomic():
                receipt = ChatReceipt.objects.create(session=row, client_id=cid)
        except IntegrityError:  # a second socket of the same visitor wrote it a moment ago
            found = ChatReceipt.objects.get(session=row, client_id=cid)
            return Posted(found.message_id or 0, row.ticket_id or 0, duplicate=True)
        _check_files(row, files)
        body = body or _("(a file)")
        message_id, ticket_id = _write(row, requester, body, cid, files)
        receipt.message_id = message_id
        receipt.save(update_fields=["message"])
        opened = row.ticket_id != ticket_id
        if row.customer_id != requester.pk or opened:
            row.customer, row.ticket_id = requester, ticket_id
            row.save(update_fields=["customer", "ticket"])
        if opened and row.handled_by != ChatHandler.BOT:
            # The chat is the team's from its first message: assigned now, in this transaction.
            # With the bot in front, the bot's hand-over queues it instead.
            queue_chat(channel_actor(row.widget), session=row)
    return Posted(message_id, ticket_id, duplicate=False)


def _check_files(session: ChatSession, files: list[int]) -> None:
    """Only files this chat's visitor uploaded (the channel stored them: no uploader)."""
    if not files:
        return
    if session.ticket_id is None:
        raise Invalid.field("attachment_ids", _("Unknown or already sent files."))
    mine = count_waiting_uploads(session.ticket_id, files)
    if mine != len(files):
        raise Invalid.field("attachment_ids", _("Unknown or already sent files."))


def _write(
    session: ChatSession, requester: User, body: str, cid: str, files: list[int]
) -> tuple[int, int]:
    """Into the chat's ticket; a new ticket for the first message or after a closed one."""
    channel = channel_actor(session.widget)
    if session.ticket_id is not None:
        try:
            with transaction.atomic():
                message = add_channel_message(
                    channel,
                    ticket_id=session.ticket_id,
                    author=requester,
                    body=body,
                    channel_name=Channel.CHAT,
                    attachment_ids=files,
                    external_id=cid,
                )
            return message.pk, session.ticket_id
        except TicketClosed:
            if files:
                raise Invalid.field("attachment_ids", _("The chat's ticket is closed.")) from None
    ticket = tickets.open_ticket(
        channel,
        subject=subject_for(body, session),
        body=body,
        requester=requester,
        channel=Channel.CHAT,
        group_id=session.widget.group_id,
        external_id=cid,
    )
    if session.ticket_id is not None:  # a follow-up: an agent takes it up anew
        ChatSession.objects.filter(pk=session.pk).update(state=ChatState.WAITING, agent=None)
    return opening_message(ticket).pk, ticket.pk


class LimitedStream:
    """A file stream that refuses to be read past ``limit`` bytes."""

    def __init__(self, stream: Readable, limit: int) -> None:
        self.stream, self.limit, self.read_so_far = stream, limit, 0

    def read(self, size: int = -1, /) -> bytes:
        chunk = self.stream.read(size)
        self.read_so_far += len(chunk)
        if self.read_so_far > self.limit:
            raise PayloadTooLarge(
                _("The file is larger than the limit of %(limit)d bytes.") % {"limit": self.limit}
            )
        return chunk


def store_upload(session: ChatSession, *, filename: str, stream: Readable) -> Attachment:
    """Store a visitor's file on the chat's ticket; a message then names it by id.

    The chat must have begun (its ticket exists): a file alone does not open a ticket.
    """
    if session.ticket_id is None:
        raise NotFound(_("Send a message first; then you can attach files."))
    if session.state == ChatState.ENDED:
        raise Invalid.field("session", _("This chat has ended; start a new one."))
    stored = write_file(filename=filename, stream=LimitedStream(stream, config.max_upload()))
    return attach_file(channel_actor(session.widget), ticket_id=session.ticket_id, file=stored)

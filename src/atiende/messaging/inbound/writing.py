"""Write one parsed email through the ticket services: new ticket, reply, or follow-up.

Runs inside the pipeline's transaction. The customer is the From address (like Zammad):
Reply-To is often a list or a no-reply alias and says nothing about who wrote; answers go to
the requester's address. A new customer gets an unverified email identity and joins the
organization of their domain without seeing its tickets (`find_or_create_customer`).
"""

from __future__ import annotations

import contextlib
import io
import logging
import mimetypes
import re
from dataclasses import dataclass, replace

from django.db import transaction
from django.utils.translation import gettext as _

from atiende.accounts.models import User
from atiende.accounts.selectors import known_email_addresses
from atiende.accounts.services import find_or_create_customer
from atiende.core.actor import Actor, Source
from atiende.core.errors import AtiendeError, Invalid
from atiende.core.html import html_to_text
from atiende.core.language import detect as detect_language
from atiende.messaging.email.lists import is_list_address
from atiende.messaging.email.mime import Attachment as MailPart
from atiende.messaging.email.parse import ParsedEmail
from atiende.messaging.email.quotes import (
    strip_reply,
    strip_reply_html,
    strip_signature,
    trim_reply_html,
)
from atiende.messaging.email.subjects import strip_prefixes
from atiende.messaging.inbound import store
from atiende.messaging.inbound.classify import our_addresses
from atiende.messaging.inbound.notes import note_kind, post_note
from atiende.messaging.inbound.threading import Thread, conversation_key, find_thread, may_write
from atiende.messaging.models import InboundMessage, InboundSource, Mailbox, ThreadKey
from atiende.tickets.errors import TicketClosed
from atiende.tickets.models import Channel, LinkKind, Message, StatusCategory, Ticket
from atiende.tickets.selectors import opening_message
from atiende.tickets.services import link_tickets, open_ticket
from atiende.tickets.services.attachments import StoredFile, attach_file, write_file
from atiende.tickets.services.followers import MAX_FOLLOWERS_PER_CALL, add_followers
from atiende.tickets.services.intake import add_channel_message, attach_to_message

logger = logging.getLogger(__name__)

MAX_TEXT = 1_000_000  # the ticket services' limit; the whole original stays in the raw row
MAX_QUOTE_SCAN = 200_000  # quote stripping reads at most this much text
MAX_FILES = 50
CLOSED = (StatusCategory.CLOSED, StatusCategory.CANCELLED)
CID = re.compile(r"""(["'])cid:([^"']+)\1""", re.IGNORECASE)


@dataclass(frozen=True)
class Written:
    ticket: Ticket
    message: Message


def channel_actor(row: InboundMessage) -> Actor:
    """The email channel acting for ``row``."""
    return source_actor(row.mailbox, InboundSource(row.source))


def source_actor(mailbox: Mailbox | None, source: InboundSource) -> Actor:
    """The email channel acting; an import of old mail is the system acting (no "ticket
    received" mail goes out for a conversation that happened long ago)."""
    detail = f"email:{mailbox.address}" if mailbox else "email"
    if source == InboundSource.IMPORT:
        return Actor(user=None, source=Source.SYSTEM, detail=f"{detail} import")
    return Actor(user=None, source=Source.CHANNEL, detail=detail)


def create_people(
    channel: Actor, mailbox: Mailbox | None, mail: list[tuple[ParsedEmail, str]]
) -> None:
    """Create the senders and followers `write` will need for these (message, sender) pairs.

    An importer calls this for its next batch in a short transaction of its own: a new
    customer created inside a 100-message batch held every other importer that met the same
    person waiting for the whole batch (and two such batches could deadlock). The same calls
    as `write`'s, so nobody is created that `write` would not create; an address refused here
    is refused again, and explained, by `write`. People already known cost one read in all.
    """
    wanted = {sender for _parsed, sender in mail}
    for parsed, sender in mail:
        wanted.update(address for _name, address in _follower_addresses(parsed, sender))
    known = known_email_addresses(wanted)
    for parsed, sender in mail:
        if sender not in known:
            try:
                known[sender] = _author(
                    channel, mailbox, parsed, sender, bodies(parsed)[0]
                ).is_active
            except AtiendeError:
                continue
        if not known[sender]:
            continue  # a suspended sender's message is refused: its Cc are nobody's business
        for name, address in _follower_addresses(parsed, sender):
            if address not in known:
                known[address] = True
                with contextlib.suppress(AtiendeError):
                    find_or_create_customer(channel, email=address, name=name, field="cc")


def _author(
    channel: Actor, mailbox: Mailbox | None, parsed: ParsedEmail, sender: str, text: str
) -> User:
    """The sender as a customer, created when new; a bad address refuses the message."""
    name = parsed.from_[0] if parsed.from_ else ""
    try:
        # A new sender is answered in the language they wrote in (the subject helps a short one).
        return find_or_create_customer(
            channel,
            email=sender,
            name=name,
            field="from",
            text=f"{text}\n{parsed.subject}",
            language=mailbox.language if mailbox else "",
        )
    except Invalid:
        raise Invalid.field(
            "from", _("The sender address %(email)s is not valid.") % {"email": sender}
        ) from None


def write(row: InboundMessage, parsed: ParsedEmail, sender: str) -> Written:
    """Post the message where it belongs and record its thread keys and followers."""
    channel = channel_actor(row)
    text, html = bodies(parsed)
    author = _author(channel, row.mailbox, parsed, sender, text)
    if not author.is_active:
        raise _suspended(sender)
    thread = find_thread(parsed)
    if thread is not None and not may_write(author, thread.ticket):
        logger.info("inbound %s: %s may not write to ticket %s", row.pk, sender, thread.ticket.pk)
        thread = None
    note = note_kind(row, parsed, author, thread.ticket) if thread is not None else None
    written = None
    if thread is not None and note is not None:  # an automatic reply, an unproven staff mail
        message = post_note(channel, thread.ticket, parsed, note, sender, text)
        written = Written(thread.ticket, message)
    elif thread is not None and thread.ticket.status.category not in CLOSED:
        try:
            with transaction.atomic():  # its stored files go too if the reply is refused
                written = _reply(channel, row, parsed, author, thread, text, html)
        except TicketClosed:
            written = None  # closed a moment ago (PostgreSQL): a follow-up, as below
    if written is None:
        written = _new_ticket(channel, row, parsed, author, text, html)
        if thread is not None:  # a reply to a closed ticket: a follow-up, linked to it
            link_tickets(
                channel,
                source_id=written.ticket.pk,
                target_id=thread.ticket.pk,
                kind=LinkKind.RELATED,
            )
    if note is None:
        _follow(channel, written.ticket, parsed, sender)
    key = ThreadKey(
        ticket=written.ticket,
        message_id=parsed.message_id[:998],
        thread_index=conversation_key(parsed.headers.get("Thread-Index", "")),
    )
    store.insert_thread_key(key)
    return written


def _suspended(sender: str) -> AtiendeError:
    return Invalid.field("from", _("The sender %(email)s is suspended.") % {"email": sender})


def prepare(parsed: ParsedEmail) -> ParsedEmail:
    """``parsed`` with its new text and HTML (`bodies`) worked out, and their language
    detected once (the detector remembers it for the services' calls that follow)."""
    text, html = bodies(parsed)
    detect_language(text)  # the message's, in `tickets.services.messages.build_message`
    detect_language(f"{text}\n{parsed.subject}")  # a new sender's, in `_author`
    return replace(parsed, new_bodies=(text, html))


def bodies(parsed: ParsedEmail) -> tuple[str, str]:
    """(new text, new HTML) of the message: quoted history and signature left out.

    Falls back to the whole text when stripping would leave nothing (a forward, a message
    that is all quote); the full original stays in the raw row for "show original".
    """
    if parsed.new_bodies is not None:
        return parsed.new_bodies
    text = ""
    if parsed.text.strip() and not parsed.text_from_html:
        source = parsed.text[:MAX_QUOTE_SCAN]
        text = strip_reply(source, signature=True) if len(parsed.text) <= MAX_QUOTE_SCAN else source
        if parsed.from_ and len(parsed.text) <= MAX_QUOTE_SCAN:
            text = strip_signature(text, " ".join(parsed.from_))
        text = text or parsed.text.strip()
    marked = parsed.raw_html or parsed.html  # quote markers are read before sanitizing
    reply = None
    if not text and parsed.html:
        if len(marked) <= MAX_QUOTE_SCAN:
            text = reply = strip_reply_html(marked, signature=True)
        text = text or html_to_text(parsed.html)
    html = ""
    if parsed.html and len(parsed.html) <= MAX_TEXT:
        scan = len(marked) <= MAX_QUOTE_SCAN
        html = trim_reply_html(marked, reply_text=reply) if scan else parsed.html
    text = text[:MAX_TEXT].strip()
    if not text:
        text = _("(This message has no text.)")
        html = html if html_to_text(html).strip() else ""
    return text, html


def _new_ticket(
    channel: Actor,
    row: InboundMessage,
    parsed: ParsedEmail,
    author: User,
    text: str,
    html: str,
) -> Written:
    subject = " ".join(strip_prefixes(parsed.subject).split())[:255] or _("(no subject)")
    group_id = row.mailbox.group_id if row.mailbox else None
    ticket = open_ticket(
        channel,
        subject=subject,
        body=text,
        body_html=html,
        requester=author,
        channel=Channel.EMAIL,
        group_id=group_id,
        external_id=parsed.message_id,
    )
    message = opening_message(ticket)
    files, urls = _store_files(channel, ticket, parsed)
    rewritten = _rewrite_cids(message.body_html, urls) if urls and html else ""
    if files or rewritten:
        message = attach_to_message(
            channel, message_id=message.pk, attachment_ids=files, body_html=rewritten
        )
    return Written(ticket, message)


def _reply(
    channel: Actor,
    row: InboundMessage,
    parsed: ParsedEmail,
    author: User,
    thread: Thread,
    text: str,
    html: str,
) -> Written:
    ticket = thread.ticket
    files, urls = _store_files(channel, ticket, parsed)
    message = add_channel_message(
        Actor(user=None, source=channel.source, detail=f"{channel.detail} {thread.how}"),
        ticket_id=ticket.pk,
        author=author,
        body=text,
        body_html=_rewrite_cids(html, urls) if urls else html,
        channel_name=Channel.EMAIL,
        attachment_ids=files,
        external_id=parsed.message_id,
    )
    return Written(ticket, message)


def write_files(parsed: ParsedEmail) -> list[StoredFile | None]:
    """Write the message's attachments to storage; call it before the intake's transaction.

    Storage is content-addressed, so writing them again inside the transaction finds them
    there and only records them: no file is written while a ticket (or SQLite's write lock)
    is held. A part that cannot be kept (empty, too large) is ``None``.
    """
    found: list[StoredFile | None] = []
    for part in parsed.attachments[:MAX_FILES]:
        stored = None
        if part.payload:
            try:
                stored = write_file(filename=_filename(part), stream=io.BytesIO(part.payload))
            except AtiendeError as exc:
                logger.info("attachment %r not kept: %s", part.filename, exc)
        found.append(stored)
    return found


def _store_files(
    channel: Actor, ticket: Ticket, parsed: ParsedEmail
) -> tuple[list[int], dict[str, str]]:
    """Record the attachments (winmail.dat as is); returns their ids and cid → URL.

    Empty parts are skipped; a part over the attachment limit is left in the original only.
    """
    ids: list[int] = []
    urls: dict[str, str] = {}
    for part, stored in zip(parsed.attachments[:MAX_FILES], write_files(parsed), strict=True):
        if stored is None:
            continue
        attachment = attach_file(channel, ticket_id=ticket.pk, file=stored)
        ids.append(attachment.pk)
        if part.content_id:
            urls[part.content_id] = attachment_url(attachment.pk)
    return ids, urls


def attachment_url(attachment_id: int) -> str:
    """Where the workspace downloads an attachment (the API's attachment endpoint)."""
    return f"/api/v1/attachments/{attachment_id}"


def _filename(part: MailPart) -> str:
    if part.filename:
        return part.filename
    extension = mimetypes.guess_extension(part.content_type) or ".bin"
    return ("message" if extension == ".eml" else "attachment") + extension


def _rewrite_cids(html: str, urls: dict[str, str]) -> str:
    """Point ``cid:`` image references at the stored files."""

    def swap(match: re.Match[str]) -> str:
        url = urls.get(match.group(2).strip().strip("<>"))
        return f"{match.group(1)}{url}{match.group(1)}" if url else match.group(0)

    return CID.sub(swap, html)


def _follower_addresses(parsed: ParsedEmail, sender: str) -> list[tuple[str, str]]:
    """(name, address) of the people in To and Cc: not us, not the sender, not a list."""
    ours = our_addresses()
    addresses: list[tuple[str, str]] = []
    seen = {sender}
    for name, address in (*parsed.to, *parsed.cc):
        address = address.strip().lower()
        if not address or address in seen or address in ours:
            continue
        if is_list_address(parsed, address):
            continue  # a mailing list is not a person: never a follower
        seen.add(address)
        addresses.append((name, address))
        if len(addresses) >= MAX_FOLLOWERS_PER_CALL:
            break
    return addresses


def _follow(channel: Actor, ticket: Ticket, parsed: ParsedEmail, sender: str) -> None:
    """People in To and Cc (not us, not the sender) follow the ticket; the first 50 only."""
    addresses = _follower_addresses(parsed, sender)
    user_ids: list[int] = []
    for name, address in addresses:
        try:
            user = find_or_create_customer(channel, email=address, name=name, field="cc")
        except AtiendeError:
            continue  # an unusable address in Cc is no reason to refuse the message
        if user.is_active:
            user_ids.append(user.pk)
    if not user_ids:
        return
    present = set(ticket.followers.filter(pk__in=user_ids).values_list("pk", flat=True))
    new = [pk for pk in user_ids if pk not in present and pk != ticket.requester_id]
    if new:  # a reply usually copies the same people again: nothing to lock or record
        add_followers(channel, ticket_id=ticket.pk, user_ids=new)

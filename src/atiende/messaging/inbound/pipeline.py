"""Turn a stored raw message into a ticket message: parse, classify, thread, write.

`process` is idempotent and never raises for bad input. Parsing happens outside any
transaction (it is the expensive part and, on SQLite, a transaction holds the write lock);
every write — customer, ticket or reply, attachments, followers, thread keys and the row's
new state — happens in ONE transaction, so a crash leaves the row ``received`` with nothing
half-written, and running it again is clean. Anything unexpected quarantines the row with
the reason (traceback in the log), never loses it — except a deadlock or serialisation
failure, which is nobody's fault: the transaction is redone (``core.transient``).
"""

from __future__ import annotations

import hashlib
import logging

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.core import transient
from atiende.core.errors import AtiendeError, NotFound
from atiende.messaging.email.parse import ParsedEmail, ParseError, parse_message
from atiende.messaging.inbound import alerts, bounces, classify, store, writing
from atiende.messaging.inbound.outcome import Outcome
from atiende.messaging.models import InboundMessage, InboundSource, InboundState, Mailbox
from atiende.tickets import services as tickets

logger = logging.getLogger(__name__)

MAX_REASON = 2000


Parsed = ParsedEmail | ParseError


def process(inbound_id: int, *, parsed: Parsed | None = None) -> InboundMessage:
    """Process one stored message (if still ``received``) and return its row.

    ``parsed``: the caller already parsed the raw bytes (`parse`), outside its transaction.
    """
    row = InboundMessage.objects.select_related("mailbox").filter(pk=inbound_id).first()
    if row is None:
        raise NotFound(_("Unknown inbound message."))
    return process_row(row, parsed=parsed)


def process_row(
    row: InboundMessage, *, parsed: Parsed | None = None, locked: bool = False
) -> InboundMessage:
    """`process` for a row in hand; ``locked``: the caller stored it in its open transaction
    (an importer), so no other worker can hold it and it needs no re-reading.

    A deadlock is redone here when this call owns the transaction; inside the caller's it is
    raised, for the caller to redo its whole transaction (the other side waits for all of it).
    """
    owner = not locked and not connection.in_atomic_block
    for attempt in range(1, transient.ATTEMPTS + 1):
        try:
            return _process_row(row, parsed=parsed, locked=locked)
        except Exception as exc:
            if not owner or attempt == transient.ATTEMPTS or not transient.is_transient(exc):
                raise
            logger.warning("inbound message %s: %s; redoing it", row.pk, exc)
    raise AssertionError("unreachable")


def _process_row(row: InboundMessage, *, parsed: Parsed | None, locked: bool) -> InboundMessage:
    if row.state != InboundState.RECEIVED:
        return _reload(row.pk)
    try:
        if parsed is None:
            parsed = parse(bytes(row.raw))
        if (
            isinstance(parsed, ParsedEmail)
            and not locked
            and not alerts.is_alert_inbox(row.mailbox)
        ):
            writing.write_files(parsed)  # storage first, then the transaction and locks
        if locked:  # already inside the caller's transaction, which holds the row
            _finish(row, _decide_or_refuse(row, parsed))
            return row
        with transaction.atomic():
            current = InboundMessage.objects.select_for_update().only("state").get(pk=row.pk)
            if current.state != InboundState.RECEIVED:
                return _reload(row.pk)  # another worker got there first
            _finish(row, _decide_or_refuse(row, parsed))
    except Exception as exc:
        if transient.is_transient(exc):
            raise
        logger.exception("inbound message %s could not be processed", row.pk)
        _quarantine(row.pk, _("Processing failed: %(error)s") % {"error": _describe(exc)})
        return _reload(row.pk)
    return row


def parse(raw: bytes) -> Parsed:
    """The parsed message, or the `ParseError` that says why there is none.

    What writing it needs from the text alone is worked out here too (`writing.prepare`):
    this runs outside any transaction, where it holds nobody up.
    """
    try:
        return writing.prepare(parse_message(raw))
    except ParseError as exc:
        return exc


def _decide_or_refuse(row: InboundMessage, parsed: Parsed) -> Outcome:
    """`_decide` in a savepoint: a service's refusal (a suspended sender, an invalid address)
    rolls back whatever was half-written and quarantines the row with the service's reason."""
    try:
        with transaction.atomic(), tickets.channel_batch():  # a refusal drops its tally moves
            return _decide(row, parsed)
    except AtiendeError as exc:
        fields = _header_fields(parsed) if isinstance(parsed, ParsedEmail) else {}
        return Outcome(InboundState.QUARANTINED, _describe(exc), fields=fields)


def _decide(row: InboundMessage, parsed: Parsed) -> Outcome:
    """Classify and write; expected refusals become an outcome, not an exception."""
    if isinstance(parsed, ParseError):
        return Outcome(
            InboundState.QUARANTINED, _("Unreadable message: %(error)s") % {"error": parsed}
        )
    headers = _header_fields(parsed)
    _lock_message_id(parsed.message_id)
    keys = classify.known_keys(parsed.message_id)
    if classify.is_our_own(parsed, keys):
        return Outcome(InboundState.IGNORED, _("Our own mail came back."), fields=headers)
    if parsed.is_bounce:
        return bounces.handle(row, parsed, headers)
    if parsed.sender_defects:
        reason = _("The sender headers cannot be trusted: %(defects)s") % {
            "defects": "; ".join(parsed.sender_defects)
        }
        return Outcome(InboundState.QUARANTINED, reason, fields=headers)
    sender = _sender(parsed)
    if not sender and not alerts.is_alert_inbox(row.mailbox):
        return Outcome(InboundState.QUARANTINED, _("The message has no sender."), fields=headers)
    headers["sender"] = sender[:254]
    if alerts.is_alert_inbox(row.mailbox):  # a monitor's alert, whoever's address it uses
        return alerts.handle(row, parsed, sender, headers)
    if sender in classify.our_addresses():
        reason = _("From one of our own addresses, but not signed by this installation.")
        return Outcome(InboundState.IGNORED, reason, fields=headers)
    if classify.rate_limited(row, sender):
        return Outcome(InboundState.QUARANTINED, classify.rate_limit_reason(), fields=headers)
    twin = classify.same_message_elsewhere(row, parsed, sender, keys)
    if twin is not None:
        reason = _("The same message already arrived by another route (#%(id)d).") % {"id": twin.pk}
        return Outcome(InboundState.IGNORED, reason, ticket=twin.ticket, fields=headers)
    written = writing.write(row, parsed, sender)
    return Outcome(
        InboundState.PROCESSED, ticket=written.ticket, message=written.message, fields=headers
    )


def _sender(parsed: ParsedEmail) -> str:
    return parsed.from_[1].strip().lower() if parsed.from_ else ""


def create_people(mailbox: Mailbox | None, source: InboundSource, batch: list[Parsed]) -> None:
    """Create, ahead of a batch, the customers its messages will need (`writing.create_people`)
    — for the messages `_decide` would write: readable, not bounces, from a trustworthy,
    outside sender. Call it in a transaction of its own before the batch's. An alert inbox's
    mail makes no customers (`alerts`)."""
    if alerts.is_alert_inbox(mailbox):
        return
    mail = [
        (parsed, _sender(parsed))
        for parsed in batch
        if isinstance(parsed, ParsedEmail) and not parsed.is_bounce and not parsed.sender_defects
    ]
    ours = classify.our_addresses()
    mail = [(parsed, sender) for parsed, sender in mail if sender and sender not in ours]
    writing.create_people(writing.source_actor(mailbox, source), mailbox, mail)


def _header_fields(parsed: ParsedEmail) -> dict[str, object]:
    return {
        "subject": parsed.subject[:255],
        "message_id": parsed.message_id[:998],
        "auto_generated": parsed.is_auto_generated,
    }


def message_lock_key(message_id: str) -> int:
    """The advisory lock key that serialises two deliveries of one Message-ID."""
    return int.from_bytes(hashlib.sha256(message_id.encode()).digest()[:8], signed=True)


def _lock_message_id(message_id: str) -> None:
    """On PostgreSQL serialise two deliveries of one Message-ID (SQLite's lock is global)."""
    if message_id and connection.vendor == "postgresql":
        store.lock_message_id(message_lock_key(message_id))


def _finish(row: InboundMessage, outcome: Outcome) -> None:
    row.attempts += 1
    record_outcome(row, outcome, also=("attempts",))


def record_outcome(row: InboundMessage, outcome: Outcome, *, also: tuple[str, ...] = ()) -> None:
    """Write what processing (or an admin's release) did with ``row``: its state and reason,
    its ticket and message, the outcome's own fields, and ``also`` those set by the caller."""
    for name, value in outcome.fields.items():
        setattr(row, name, value)
    row.state = outcome.state
    row.reason = outcome.reason[:MAX_REASON]
    row.ticket = outcome.ticket
    row.ticket_message = outcome.message
    row.processed_at = timezone.now()
    update = ["state", "reason", "ticket", "ticket_message", "processed_at", *also]
    store.write_outcome(row, [*update, *outcome.fields])


def _quarantine(row_id: int, reason: str) -> None:
    """Record a failure in its own transaction (the failed one was rolled back)."""
    InboundMessage.objects.filter(pk=row_id, state=InboundState.RECEIVED).update(
        state=InboundState.QUARANTINED, reason=reason[:MAX_REASON], processed_at=timezone.now()
    )


def _reload(row_id: int) -> InboundMessage:
    return InboundMessage.objects.defer("raw").get(pk=row_id)


def _describe(exc: BaseException) -> str:
    """One readable line: a service error's own message and field details, else the type."""
    if isinstance(exc, AtiendeError):
        details = "; ".join(str(e.message) for e in exc.errors if str(e.message) != str(exc))
        return " ".join(f"{exc.detail} {details}".split())
    return " ".join(f"{type(exc).__name__}: {exc}".split())

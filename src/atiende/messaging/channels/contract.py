"""The shapes every channel adapter reads payloads into and builds requests from.

A webhook or a CTI/alert call arrives as an ``Incoming`` (what the HTTP request carried, kept
raw first). An adapter checks it (``verify``), then reads it (``read``) into a list of
``Event``: a customer's ``InboundMessage``, a ``DeliveryUpdate`` for a message we sent, a
``CallEvent`` (phone) or an ``AlertEvent`` (monitoring). A payload that is not what the
provider documents raises ``PayloadError`` naming what is wrong: the raw payload then stays in
quarantine, nothing is half-read.

Outbound, an adapter first ``split`` s an ``OutboundMessage`` into the messages its API takes
one per request, turns each into one ``ProviderRequest`` (method, URL, headers, body) and reads
the provider's ``ProviderResponse`` into a ``SendResult``: the provider's message id, or a
failure that says whether a retry can help and how long to wait. A message the provider cannot
carry even split (too long, too many attachments, empty) raises ``MessageRejected``; any other
``ValueError`` from ``send_request`` means the account's settings are incomplete.

Receive-only providers (monitoring alerts, phone) implement ``Receiver``; the messaging
providers implement ``Adapter``, which is a ``Receiver`` that also sends.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


class PayloadError(ValueError):
    """The payload is not one the provider documents; ``field`` names where it went wrong."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class MessageRejected(ValueError):
    """The provider cannot carry this outbound message as it is: too long, too many
    attachments, empty, or addressed to something that is no address on the channel. Sending
    it again will not help; the agent has to change it."""


class SignatureError(PermissionError):
    """The request is not signed by the provider (missing, malformed or wrong signature,
    or a timestamp outside the replay window)."""


@dataclass(frozen=True)
class Incoming:
    """What one webhook request carried: kept raw before anything else reads it."""

    method: str
    url: str  # the full URL as the provider called it (Twilio signs it)
    headers: Mapping[str, str]  # names lower-cased
    body: bytes
    query: Mapping[str, str] = field(default_factory=dict)
    received_at: datetime | None = None

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass(frozen=True)
class Sender:
    """Who wrote: an address on one channel (``accounts.IdentityChannel`` values)."""

    channel: str  # "whatsapp", "telegram", "sms", "facebook", "instagram", "phone", "chat"
    address: str  # the provider's stable id of the person: wa_id, chat id, E.164 number, PSID
    name: str = ""


@dataclass(frozen=True)
class Media:
    """An attachment as the provider announces it: fetched by the intake, never here.

    ``reference`` is what the provider's API needs to download it (a media id or a URL);
    ``size`` is what the payload claims, ``0`` when unknown (the download enforces the limit).
    """

    reference: str
    content_type: str = ""
    filename: str = ""
    size: int = 0
    caption: str = ""
    # Outbound only: the file itself, for a provider that takes it in the send request
    # (Telegram's multipart upload, WhatsApp's media upload); empty when ``reference`` names
    # it (a URL, a media id). ``content`` holds the bytes; ``source`` reads a stored file in
    # chunks as the request goes, never whole (``services.outgoing_media``).
    content: bytes = field(default=b"", repr=False, compare=False)
    source: FileSource | None = field(default=None, repr=False, compare=False)

    @property
    def carries_file(self) -> bool:
        """Whether the request itself carries the file (``content`` or ``source``)."""
        return bool(self.content) or self.source is not None


class FileSource(Protocol):
    """A file's bytes, read in chunks when the request is sent."""

    @property
    def size(self) -> int:
        """How many bytes ``chunks`` yields in all (the request's ``Content-Length``)."""
        ...

    def chunks(self) -> Iterator[bytes]:
        """The file from its start, a chunk at a time (each call reads it again)."""
        ...


@dataclass(frozen=True)
class Streamed:
    """A request body sent in pieces: bytes, and files read as it goes (``FileSource``), so
    a large attachment is never held whole in memory. Its length is known beforehand."""

    pieces: tuple[bytes | FileSource, ...]

    @property
    def length(self) -> int:
        return sum(len(p) if isinstance(p, bytes) else p.size for p in self.pieces)

    def __iter__(self) -> Iterator[bytes]:
        for piece in self.pieces:
            if isinstance(piece, bytes):
                yield piece
                continue
            sent = 0
            for chunk in piece.chunks():
                sent += len(chunk)
                yield chunk
            if sent != piece.size:  # the file changed under us: the length sent is wrong
                raise OSError(f"the file had {sent} bytes, not the {piece.size} announced")

    def read_all(self) -> bytes:
        """The whole body at once (tests, small bodies)."""
        return b"".join(self)


class Kind(enum.StrEnum):
    MESSAGE = "message"
    DELIVERY = "delivery"
    CALL = "call"
    ALERT = "alert"


@dataclass(frozen=True)
class InboundMessage:
    """A customer's message. ``provider_id`` is unique per channel account: the same id
    delivered twice is one message (idempotency)."""

    provider_id: str
    sender: Sender
    text: str
    sent_at: datetime | None = None
    media: Sequence[Media] = ()
    conversation: str = ""  # the provider's thread/chat key when it has one beyond the sender
    reply_to: str = ""  # the provider id of the message this one answers, when said
    kind: Kind = Kind.MESSAGE


class DeliveryState(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


# A later state never goes back to an earlier one (a late "delivered" after "read").
DELIVERY_ORDER = {
    DeliveryState.QUEUED: 0,
    DeliveryState.SENT: 1,
    DeliveryState.DELIVERED: 2,
    DeliveryState.READ: 3,
    DeliveryState.FAILED: 4,
}


@dataclass(frozen=True)
class DeliveryUpdate:
    """The provider's word on a message we sent, found by the id it gave when sending."""

    provider_id: str
    state: DeliveryState
    at: datetime | None = None
    reason: str = ""  # why it failed, in the provider's words (code and title)
    kind: Kind = Kind.DELIVERY


class CallState(enum.StrEnum):
    RINGING = "ringing"
    ANSWERED = "answered"
    ENDED = "ended"
    MISSED = "missed"
    RECORDED = "recorded"  # the call's recording is ready: ``recording_url``, nothing else


@dataclass(frozen=True)
class CallEvent:
    """One step of a phone call; ``call_id`` ties the steps of one call together."""

    call_id: str
    state: CallState
    caller: str  # E.164 when the provider gives it
    called: str = ""
    agent: str = ""  # the agent's extension or address, as the PBX names them
    direction: str = "inbound"
    duration: int = 0  # seconds, on ENDED
    recording_url: str = ""  # on ENDED when the provider says it, always on RECORDED
    at: datetime | None = None
    kind: Kind = Kind.CALL


class AlertState(enum.StrEnum):
    FIRING = "firing"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class AlertEvent:
    """One alert: ``key`` identifies it across repeats (fingerprint, trigger id, host+service).

    ``severity`` is the monitor's own word ("critical", "warning", "disaster"); the intake maps
    it to a priority. ``labels`` keep what the monitor said, for the ticket's text and rules.
    """

    key: str
    state: AlertState
    title: str
    text: str = ""
    severity: str = ""
    source: str = ""  # "alertmanager", "zabbix", "nagios", "generic"
    labels: Mapping[str, str] = field(default_factory=dict)
    started_at: datetime | None = None
    url: str = ""
    ended_at: datetime | None = None  # when the monitor says the problem ended
    kind: Kind = Kind.ALERT


Event = InboundMessage | DeliveryUpdate | CallEvent | AlertEvent


@dataclass(frozen=True)
class OutboundMessage:
    """What an agent sends to one customer on one channel account.

    ``template`` (WhatsApp outside the 24-hour window) names an approved template and its
    ``template_params``; ``text`` is then ignored by providers that need a template.
    """

    to: str  # the customer's address on the channel (wa_id, chat id, E.164, PSID)
    text: str = ""
    # Each ``reference`` a signed URL of our file (``file_links``) or the provider's media id
    # of an upload; or the file's bytes in ``content`` (``services.outgoing_media``).
    media: Sequence[Media] = ()
    template: str = ""
    template_language: str = ""
    template_params: Sequence[str] = ()
    reply_to: str = ""  # provider id of the customer's message being answered, when useful


@dataclass(frozen=True)
class ProviderRequest:
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes | Streamed  # ``Streamed``: a file upload, read from storage as it is sent


@dataclass(frozen=True)
class ProviderResponse:
    status: int
    headers: Mapping[str, str]  # as the HTTP client gives them: any case
    body: bytes

    def header(self, name: str) -> str:
        """The value of header ``name``, whatever the case of its name; ``""`` when absent."""
        wanted = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == wanted), "")


@dataclass(frozen=True)
class SendResult:
    """A send's outcome: ``provider_id`` on success; else ``error`` and whether to retry
    (429, 5xx and time-outs are retried with backoff; 4xx are not). ``retry_after`` is how many
    seconds the provider asked us to wait first (``0``: it did not say)."""

    provider_id: str = ""
    error: str = ""
    retry: bool = False
    retry_after: int = 0

    @property
    def ok(self) -> bool:
        return bool(self.provider_id) and not self.error


@dataclass(frozen=True)
class AccountConfig:
    """One channel account's settings as its adapter needs them, secrets decrypted.

    ``settings`` holds the provider's non-secret ids (phone number id, account SID, page id);
    ``secrets`` the tokens and signing secrets. ``api_base`` points the adapter at the
    provider's API — the real one in production, a fake on loopback in tests.
    """

    provider: str
    settings: Mapping[str, str]
    secrets: Mapping[str, str]
    api_base: str


class Receiver(Protocol):
    """The reading half of a provider: check a webhook, read it into events. Receive-only
    providers (alerts, phone) are just this; every method is deterministic and knows no
    database."""

    provider: str  # "whatsapp", "telegram", "twilio_sms", "alertmanager", "twilio_voice", ...
    channel: str  # tickets.Channel value of the tickets it opens

    def verify(self, config: AccountConfig, incoming: Incoming) -> None:
        """Raise ``SignatureError`` unless the provider signed ``incoming``."""

    def read(self, config: AccountConfig, incoming: Incoming) -> list[Event]:
        """The events in a verified payload; ``PayloadError`` when it is not the provider's."""


class Adapter(Receiver, Protocol):
    """The pure half of a messaging provider: a ``Receiver`` that also sends."""

    def split(self, message: OutboundMessage) -> list[OutboundMessage]:
        """``message`` as the messages ``send_request`` takes one per request (the text and
        each attachment on its own, say), the first answering ``reply_to``; ``[message]`` when
        the API carries it whole. What no split can fix is left to ``send_request``."""

    def send_request(self, config: AccountConfig, message: OutboundMessage) -> ProviderRequest:
        """The HTTP request that sends ``message`` (one part of ``split``) through the
        provider's API; ``MessageRejected`` when the provider cannot carry it."""

    def send_result(self, response: ProviderResponse) -> SendResult:
        """What the provider's answer to ``send_request`` means."""

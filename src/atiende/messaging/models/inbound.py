"""Inbound messages, stored raw before anything else happens to them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_STORED_BYTES = 50 * 1024 * 1024


class InboundSource(models.TextChoices):
    SMTP = "smtp", _("SMTP receiver")
    IMAP = "imap", _("IMAP polling")
    UPLOAD = "upload", _("Upload")
    IMPORT = "import", _("Import")


class InboundState(models.TextChoices):
    RECEIVED = "received", _("Received")  # stored raw, not yet processed (or processing crashed)
    PROCESSED = "processed", _("Processed")  # became a ticket message (or was a handled bounce)
    IGNORED = "ignored", _("Ignored")  # deliberately not a message: our own mail, loop, storm
    QUARANTINED = "quarantined", _("Quarantined")  # failed; ``reason`` says why; admin decides
    DISCARDED = "discarded", _("Discarded")  # an admin threw it away from quarantine


class InboundMessage(models.Model):
    """One delivery of a raw message, kept byte for byte so nothing is ever lost.

    The raw bytes live in the row (a `BinaryField`) rather than in file storage: a single
    INSERT commits bytes and state together, so a crash can never leave a row without its
    file or a file without its row. Messages are capped at `MAX_STORED_BYTES` (50 MiB)
    upstream, which both SQLite and PostgreSQL (`bytea`, 1 GiB) store comfortably.

    Duplicate delivery is decided by `(mailbox, sha256)`: the same bytes delivered twice to
    the same mailbox (an IMAP re-fetch after a crash, an SMTP client retrying after a lost
    250) are one message. Message-ID is *not* the key: it is sender-controlled, missing on
    some mail, and reused by broken clients for different content, so keying on it could drop
    a real message; threading uses it later, when it is a hint rather than an identity. The
    same bytes reaching two of our mailboxes are two deliveries, each routed on its own.
    """

    raw = models.BinaryField(_("raw message"))
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256 of the raw bytes"), max_length=64)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    source = models.CharField(_("source"), max_length=16, choices=InboundSource.choices)
    mailbox = models.ForeignKey(
        "messaging.Mailbox",
        verbose_name=_("mailbox"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="inbound_messages",
    )
    recipient = models.CharField(_("delivered to"), max_length=254, blank=True)
    sender = models.CharField(_("sender"), max_length=254, blank=True)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=InboundState.choices,
        default=InboundState.RECEIVED,
        db_index=True,
    )
    reason = models.TextField(_("reason"), blank=True, default="")
    message_id = models.CharField(_("Message-ID"), max_length=998, blank=True, default="")
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    auto_generated = models.BooleanField(_("auto-generated"), default=False)
    attempts = models.PositiveSmallIntegerField(_("processing attempts"), default=0)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ticket_message = models.OneToOneField(
        "tickets.Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_email",
    )

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "sha256"], name="messaging_inbound_unique_delivery"
            )
        ]
        indexes = [
            models.Index(fields=["sender", "received_at"], name="inbound_sender_time"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.sha256[:12]} ({self.state})"

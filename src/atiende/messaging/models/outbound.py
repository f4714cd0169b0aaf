"""Mail we send, and every Message-ID that ties a mail thread to a ticket."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboundKind(models.TextChoices):
    REPLY = "reply", _("Agent reply")
    RECEIVED = "received", _("Ticket received")
    REPLIED = "replied", _("Agent replied")
    SOLVED = "solved", _("Ticket solved")


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboundEmail(models.Model):
    """One email we send (or will send, or failed to send), with its delivery state.

    The Message-ID is fixed when the row is queued, so a retry after a crash re-sends the
    same message (the receiving side can de-duplicate) and threading works before it leaves.
    """

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="outbound_emails"
    )
    ticket_message = models.ForeignKey(
        "tickets.Message",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbound_emails",
    )
    mailbox = models.ForeignKey(
        "messaging.Mailbox", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=OutboundKind.choices)
    to = models.JSONField(_("to"), default=list)
    cc = models.JSONField(_("cc"), default=list)
    subject = models.CharField(_("subject"), max_length=998)
    message_id = models.CharField(_("Message-ID"), max_length=998, unique=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=998, blank=True)
    references = models.TextField(_("References"), blank=True)
    state = models.CharField(
        _("delivery state"),
        max_length=8,
        choices=DeliveryState.choices,
        default=DeliveryState.QUEUED,
        db_index=True,
    )
    reason = models.TextField(_("reason"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The outbox effect that queued this mail: a second delivery of the effect finds it.
    effect_key = models.CharField(max_length=200, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")

    def __str__(self) -> str:
        return f"{self.kind} #{self.ticket_id} ({self.state})"


class ThreadKey(models.Model):
    """A Message-ID (and Outlook Thread-Index) known to belong to a ticket.

    Every inbound message and every outbound mail of a ticket leaves one, so a reply threads
    by any message of the conversation it quotes, not only the last one.
    """

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    message_id = models.CharField(max_length=998, db_index=True)
    thread_index = models.CharField(max_length=64, blank=True, db_index=True)
    outbound = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thread key")
        verbose_name_plural = _("thread keys")

    def __str__(self) -> str:
        return f"{self.message_id} → #{self.ticket_id}"


class NotificationTemplate(models.Model):
    """The text of one customer notification, per language and optionally per mailbox.

    Lookup order: (kind, language, mailbox), then (kind, language, no mailbox), then the
    built-in default shipped in code. Placeholders are the safe ones of
    `atiende.tickets.placeholders` (``{{ ticket.number }}``, ``{{ customer.name }}``, …).
    """

    kind = models.CharField(_("kind"), max_length=10, choices=OutboundKind.choices)
    language = models.CharField(_("language"), max_length=8)
    mailbox = models.ForeignKey(
        "messaging.Mailbox",
        verbose_name=_("mailbox"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="templates",
    )
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "language", "mailbox"],
                condition=models.Q(mailbox__isnull=False),
                name="messaging_template_per_mailbox",
            ),
            models.UniqueConstraint(
                fields=["kind", "language"],
                condition=models.Q(mailbox__isnull=True),
                name="messaging_template_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.language}"

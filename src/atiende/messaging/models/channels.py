"""Messaging channels other than email (issue 16): accounts, raw webhook payloads, and the link
between a ticket message and the provider's id for it.

Written only by ``messaging.channels.services``; the adapters that read and build the
providers' payloads (``messaging.channels.providers``) know nothing of these tables.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MAX_PROVIDER_ID = 255


class ChannelProvider(models.TextChoices):
    """The ``provider`` of every adapter in ``messaging.channels.registry``."""

    WHATSAPP = "whatsapp", _("WhatsApp Business (Cloud API)")
    MESSENGER = "messenger", _("Facebook Messenger")
    INSTAGRAM = "instagram", _("Instagram messaging")
    TELEGRAM = "telegram", _("Telegram bot")
    TWILIO_SMS = "twilio_sms", _("SMS through Twilio")
    TWILIO_VOICE = "twilio_voice", _("Phone calls through Twilio")
    GENERIC_PBX = "generic_pbx", _("Phone calls from a PBX")
    ALERTMANAGER = "alertmanager", _("Prometheus Alertmanager")
    ZABBIX = "zabbix", _("Zabbix")
    NAGIOS = "nagios", _("Nagios or Icinga")
    GENERIC_ALERT = "generic_alert", _("Monitoring alerts (generic JSON)")
    # The account behind a mailbox marked as an alert inbox (``Mailbox.alert_account``): its
    # alerts come by mail, never by webhook (the account stays inactive: its URL answers 404).
    ALERT_EMAIL = "alert_email", _("Monitoring alerts by email")


class ChannelAccount(models.Model):
    """One account of a provider: a WhatsApp number, a Telegram bot, a Twilio number, a monitor.

    Several accounts of one provider are told apart by ``webhook_key``, the random part of
    their webhook URL (``/hooks/<webhook_key>/``). ``settings`` holds the provider's non-secret
    ids (phone number id, account SID, page id, ``api_base``); ``secrets`` a JSON object of
    tokens encrypted with ``messaging.crypto`` — written by the services, decrypted only by
    ``registry.config_for``, never shown back.

    ``group`` is PROTECT, as a mailbox's is: deleting a group must not silently send an
    account's new conversations to the triage queue; the admin re-points the account first.
    """

    provider = models.CharField(_("provider"), max_length=32, choices=ChannelProvider.choices)
    name = models.CharField(_("name"), max_length=200)
    group = models.ForeignKey(
        "accounts.Group",
        verbose_name=_("group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="channel_accounts",
    )
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    secrets = models.TextField(_("secrets (encrypted)"), blank=True, default="", editable=False)
    webhook_key = models.CharField(_("webhook key"), max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("channel account")
        verbose_name_plural = _("channel accounts")
        ordering = ["provider", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.provider})"


class ChannelPayloadState(models.TextChoices):
    RECEIVED = "received", _("Received")  # stored raw, not yet processed (or processing crashed)
    PROCESSED = "processed", _("Processed")  # its messages and delivery reports are written
    IGNORED = "ignored", _("Ignored")  # nothing in it to write (or not handled yet): ``reason``
    QUARANTINED = "quarantined", _("Quarantined")  # refused or failed; ``reason`` says why


class ChannelPayload(models.Model):
    """One webhook request, kept as it arrived before anything reads it.

    The body is byte for byte what the provider sent (capped upstream at the provider's
    limit, 1–3 MiB); the headers are lower-cased and those that carry a secret (the
    ``Authorization`` of an alert, Telegram's secret token) are replaced by ``[redacted]``:
    the signature was checked on the request itself, before storing it was done.

    A request to an unknown or inactive webhook key is not stored (the view answers 404):
    anyone can post to a guessed URL, and a row with no account could be neither checked nor
    processed.
    """

    account = models.ForeignKey(
        ChannelAccount,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="payloads",
    )
    method = models.CharField(_("method"), max_length=8)
    url = models.TextField(_("URL"))
    headers = models.JSONField(_("headers"), default=dict)
    query = models.JSONField(_("query"), default=dict)
    body = models.BinaryField(_("body"))
    received_at = models.DateTimeField(_("received at"), db_index=True)
    # When the signature was checked on the live request (stored with the row since the
    # one-commit intake); processing refuses a row without it (rows of the older intake that
    # were stored and then cut short before the check).
    verified_at = models.DateTimeField(_("signature checked at"), null=True, blank=True)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=ChannelPayloadState.choices,
        default=ChannelPayloadState.RECEIVED,
        db_index=True,
    )
    reason = models.TextField(_("reason"), blank=True, default="")
    attempts = models.PositiveSmallIntegerField(_("processing attempts"), default=0)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    # The spool file a request was taken in from (``channels.spool``, the embedded database);
    # NULL for a row written directly. Unique, and NULL rather than empty: ``ON CONFLICT``
    # needs a whole unique index to name, and NULLs never conflict.
    spool_key = models.CharField(_("spool key"), max_length=64, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("channel payload")
        verbose_name_plural = _("channel payloads")

    def __str__(self) -> str:
        return f"{self.account_id} {self.received_at:%Y-%m-%d %H:%M:%S} ({self.state})"


class ChannelDirection(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class ChannelDeliveryState(models.TextChoices):
    """``contract.DeliveryState``; it never goes back (``contract.DELIVERY_ORDER``)."""

    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")


class ChannelMessage(models.Model):
    """A ticket message as the provider knows it: its id there, and how far it got.

    Unique per (account, direction, provider id) once the provider gave one: the same
    provider message delivered twice (a webhook retried) is written once. ``address`` is the
    customer's address on the channel (the sender inbound, the recipient outbound): a new
    message is threaded by it, and a reply goes to it. ``message`` is empty only while the
    row is being written (an inbound row is claimed first, then its message written).
    """

    account = models.ForeignKey(
        ChannelAccount,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="messages",
    )
    message = models.ForeignKey(
        "tickets.Message",
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="channel_messages",
    )
    direction = models.CharField(_("direction"), max_length=8, choices=ChannelDirection.choices)
    address = models.CharField(_("customer's address"), max_length=254, blank=True, default="")
    provider_id = models.CharField(
        _("provider's message id"), max_length=MAX_PROVIDER_ID, blank=True, default=""
    )
    state = models.CharField(
        _("delivery state"),
        max_length=10,
        choices=ChannelDeliveryState.choices,
        default=ChannelDeliveryState.QUEUED,
    )
    reason = models.TextField(_("reason"), blank=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Outbound only (``channels.services.sending``): the outbox effect that sends the message
    # claims one row per provider message it is split into (``part``), so a redelivered effect
    # never sends a part twice; an approved template (WhatsApp outside its 24-hour window) is
    # named here by the agent's choice.
    effect_key = models.CharField(_("effect key"), max_length=200, blank=True, default="")
    part = models.PositiveSmallIntegerField(_("part"), default=0)
    template = models.CharField(_("template"), max_length=512, blank=True, default="")
    template_language = models.CharField(
        _("template language"), max_length=16, blank=True, default=""
    )

    class Meta:
        verbose_name = _("channel message")
        verbose_name_plural = _("channel messages")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "direction", "provider_id"],
                condition=~Q(provider_id=""),
                name="channel_message_unique_provider_id",
            ),
            models.UniqueConstraint(
                fields=["effect_key", "part"],
                condition=~Q(effect_key=""),
                name="channel_message_unique_effect_part",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "address", "id"], name="channel_message_thread"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.direction} {self.provider_id or '-'} ({self.state})"

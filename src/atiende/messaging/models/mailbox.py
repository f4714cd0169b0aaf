"""A mailbox: one support address, how its mail comes in and how replies go out."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from atiende.messaging import crypto

DEFAULT_MAX_MESSAGE_BYTES = 25 * 1024 * 1024


class InboundMethod(models.TextChoices):
    IMAP = "imap", _("IMAP polling")
    SMTP = "smtp", _("Built-in SMTP receiver")
    UPLOAD = "upload", _("Raw MIME upload or import only")


class Security(models.TextChoices):
    TLS = "tls", _("TLS")
    STARTTLS = "starttls", _("STARTTLS")
    NONE = "none", _("None (loopback only)")


class AfterFetch(models.TextChoices):
    MARK_SEEN = "seen", _("Mark as read")
    DELETE = "delete", _("Delete")
    MOVE = "move", _("Move to folder")


class Mailbox(models.Model):
    """A support address such as soporte@example.com.

    Passwords are stored encrypted (`atiende.messaging.crypto`); read and set them through
    the ``imap_password`` / ``smtp_password`` properties, never the ``*_secret`` columns.
    """

    address = models.EmailField(_("address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    brand_name = models.CharField(_("brand name"), max_length=200, blank=True)
    # The customer portal's look for this mailbox's customers (``messaging.branding``): colours
    # as validated "#rrggbb" values (never raw CSS), a logo sniffed to be PNG, JPEG, GIF or
    # WebP, and the host name under which the portal shows this brand.
    brand_primary_color = models.CharField(_("brand colour"), max_length=7, blank=True)
    brand_accent_color = models.CharField(_("accent colour"), max_length=7, blank=True)
    brand_logo = models.FileField(
        _("logo"), upload_to="brand/", max_length=200, blank=True, editable=False
    )
    brand_logo_type = models.CharField(max_length=32, blank=True, editable=False)
    portal_host = models.CharField(
        _("portal host name"),
        max_length=253,
        blank=True,
        help_text=_("The portal shows this brand when opened under this host name."),
    )
    signature = models.TextField(_("signature"), blank=True)
    language = models.CharField(
        _("customers' language"),
        max_length=8,
        blank=True,
        default="",
        help_text=_(
            "For a new customer whose first message does not tell their language; "
            "empty: the instance default."
        ),
    )
    group = models.ForeignKey(
        "accounts.Group",
        verbose_name=_("group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mailboxes",
    )
    active = models.BooleanField(_("active"), default=True)
    max_message_bytes = models.PositiveIntegerField(
        _("largest accepted message (bytes)"), default=DEFAULT_MAX_MESSAGE_BYTES
    )

    trusted_authserv_id = models.CharField(
        _("trusted authentication server"),
        max_length=255,
        blank=True,
        help_text=_(
            "The authserv-id your receiving mail server writes in Authentication-Results "
            "(e.g. mx.example.com). Only its SPF/DKIM/DMARC results count as proof that a "
            "reply from an agent's address is really theirs. Empty: none are trusted."
        ),
    )

    # An alert inbox (issue 16): its mail is read as monitoring alerts (Zabbix, Nagios/Icinga,
    # any monitor's mail), not as customer conversations; ``alert_account`` holds what the
    # alert intake keeps per monitor (incidents by key, the flood window, the settings).
    alert_inbox = models.BooleanField(
        _("alert inbox"),
        default=False,
        help_text=_(
            "Mail to this address is read as monitoring alerts: a ticket per alert, repeats "
            "added to it, recoveries solve it."
        ),
    )
    alert_senders = models.TextField(
        _("allowed alert senders"),
        blank=True,
        default="",
        help_text=_(
            "One address (nagios@example.com) or domain (@example.com) per line. Empty: any "
            "sender; mail from others waits in the quarantine."
        ),
    )
    alert_solve_on_recovery = models.BooleanField(
        _("solve on recovery"),
        default=True,
        help_text=_("A recovery mail solves the alert's ticket once none of its alerts fires."),
    )
    alert_account = models.OneToOneField(
        "messaging.ChannelAccount",
        verbose_name=_("alert account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="alert_mailbox",
    )

    inbound_method = models.CharField(
        _("inbound method"), max_length=8, choices=InboundMethod.choices
    )
    imap_host = models.CharField(_("IMAP host"), max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_security = models.CharField(
        _("IMAP security"), max_length=8, choices=Security.choices, default=Security.TLS
    )
    imap_username = models.CharField(_("IMAP user"), max_length=255, blank=True)
    imap_secret = models.TextField(blank=True, editable=False)
    imap_folder = models.CharField(_("IMAP folder"), max_length=255, default="INBOX")
    imap_after_fetch = models.CharField(
        _("after fetching"), max_length=8, choices=AfterFetch.choices, default=AfterFetch.MARK_SEEN
    )
    imap_move_to = models.CharField(_("move to folder"), max_length=255, blank=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    smtp_host = models.CharField(_("SMTP host"), max_length=255, blank=True)
    smtp_port = models.PositiveIntegerField(_("SMTP port"), default=587)
    smtp_security = models.CharField(
        _("SMTP security"), max_length=8, choices=Security.choices, default=Security.STARTTLS
    )
    smtp_username = models.CharField(_("SMTP user"), max_length=255, blank=True)
    smtp_secret = models.TextField(blank=True, editable=False)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["address"]

    def __str__(self) -> str:
        return self.address

    @property
    def imap_password(self) -> str:
        return crypto.decrypt(self.imap_secret)

    @imap_password.setter
    def imap_password(self, value: str) -> None:
        self.imap_secret = crypto.encrypt(value)

    @property
    def smtp_password(self) -> str:
        return crypto.decrypt(self.smtp_secret)

    @smtp_password.setter
    def smtp_password(self, value: str) -> None:
        self.smtp_secret = crypto.encrypt(value)

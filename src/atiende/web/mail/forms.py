"""Forms of the email settings: they parse input; `messaging.mailboxes` and
`messaging.templates` decide what is valid. Field names match the services' names so that
`apply_errors` puts each service error next to its field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from atiende.messaging.models import AfterFetch, InboundMethod, Security

MB = 1024 * 1024


class MailboxForm(forms.Form):
    address = forms.CharField(
        label=_("Address"),
        max_length=254,
        help_text=_("The support address customers write to, e.g. soporte@example.com."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    display_name = forms.CharField(
        label=_("Display name"),
        required=False,
        max_length=200,
        help_text=_("The name replies come from, e.g. “Acme Support”."),
    )
    group_id = forms.TypedChoiceField(
        label=_("Group"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("New tickets from this address go to this group."),
    )
    brand_name = forms.CharField(
        label=_("Brand name"),
        required=False,
        max_length=200,
        help_text=_("Used in customer notifications as {{ brand.name }}."),
    )
    brand_primary_color = forms.CharField(
        label=_("Portal colour"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"placeholder": "#1d4ed8", "size": 8}),
        help_text=_("The customer portal's main colour for this mailbox's customers, as #rrggbb."),
    )
    brand_accent_color = forms.CharField(
        label=_("Portal accent colour"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"placeholder": "#0f766e", "size": 8}),
        help_text=_("A second colour, as #rrggbb."),
    )
    portal_host = forms.CharField(
        label=_("Portal host name"),
        required=False,
        max_length=253,
        help_text=_(
            "The portal shows this brand when opened under this host name, e.g. "
            "ayuda.example.com. Requests that came in through this mailbox always show it."
        ),
    )
    signature = forms.CharField(
        label=_("Signature"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Added below agents' replies sent from this address."),
    )
    language = forms.ChoiceField(
        label=_("Customers' language"),
        required=False,
        choices=[("", _("The instance default")), ("es", _("Spanish")), ("en", _("English"))],
        help_text=_(
            "For a new customer whose first message is too short to tell the language it is "
            "written in."
        ),
    )
    max_message_mb = forms.IntegerField(
        label=_("Largest accepted message (MB)"),
        min_value=1,
        max_value=50,
        initial=25,
        help_text=_("Larger messages are not turned into tickets; they wait in quarantine."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    trusted_authserv_id = forms.CharField(
        label=_("Trusted authentication server"),
        required=False,
        max_length=255,
        help_text=_(
            "The authserv-id your receiving mail server writes in Authentication-Results "
            "(e.g. mx.example.com). Only its SPF/DKIM/DMARC results count as proof that a "
            "reply from an agent's address is really theirs. Empty: none are trusted."
        ),
    )
    alert_inbox = forms.BooleanField(
        label=_("Alert inbox"),
        required=False,
        help_text=_(
            "Mail to this address is read as monitoring alerts (Zabbix, Nagios/Icinga or any "
            "monitor's mail), not as customer conversations: a ticket per alert, repeats "
            "added to it, recoveries solve it."
        ),
    )
    alert_senders = forms.CharField(
        label=_("Allowed alert senders"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One address (zabbix@example.com) or domain (@example.com) per line. Empty: any "
            "sender; mail from others waits in the quarantine."
        ),
    )
    alert_solve_on_recovery = forms.BooleanField(
        label=_("Solve alert tickets on recovery"),
        required=False,
        initial=True,
        help_text=_("A recovery mail solves the alert's ticket once none of its alerts fires."),
    )
    inbound_method = forms.ChoiceField(
        label=_("How mail comes in"),
        choices=InboundMethod.choices,
        initial=InboundMethod.IMAP,
        widget=forms.RadioSelect,
    )
    imap_host = forms.CharField(label=_("IMAP host"), required=False, max_length=253)
    imap_port = forms.IntegerField(label=_("IMAP port"), initial=993)
    imap_security = forms.ChoiceField(
        label=_("IMAP security"), choices=Security.choices, initial=Security.TLS
    )
    imap_username = forms.CharField(
        label=_("IMAP user"),
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    imap_password = forms.CharField(
        label=_("IMAP password"),
        required=False,
        max_length=1000,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    imap_folder = forms.CharField(label=_("IMAP folder"), initial="INBOX", max_length=255)
    imap_after_fetch = forms.ChoiceField(
        label=_("After fetching a message"),
        choices=AfterFetch.choices,
        initial=AfterFetch.MARK_SEEN,
    )
    imap_move_to = forms.CharField(
        label=_("Move to folder"),
        required=False,
        max_length=255,
        help_text=_("Only when fetched messages are moved."),
    )

    smtp_host = forms.CharField(
        label=_("SMTP host"),
        required=False,
        max_length=253,
        help_text=_("Leave empty to send through the server's default mail settings."),
    )
    smtp_port = forms.IntegerField(label=_("SMTP port"), initial=587)
    smtp_security = forms.ChoiceField(
        label=_("SMTP security"), choices=Security.choices, initial=Security.STARTTLS
    )
    smtp_username = forms.CharField(
        label=_("SMTP user"),
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    smtp_password = forms.CharField(
        label=_("SMTP password"),
        required=False,
        max_length=1000,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    GENERAL = (
        "address",
        "display_name",
        "group_id",
        "brand_name",
        "signature",
        "language",
        "max_message_mb",
        "active",
    )
    BRAND = ("brand_primary_color", "brand_accent_color", "portal_host")
    INBOUND = ("inbound_method", "trusted_authserv_id")
    IMAP = (
        "imap_host",
        "imap_port",
        "imap_security",
        "imap_username",
        "imap_password",
        "imap_folder",
        "imap_after_fetch",
        "imap_move_to",
    )
    SMTP = ("smtp_host", "smtp_port", "smtp_security", "smtp_username", "smtp_password")
    ALERTS = ("alert_inbox", "alert_senders", "alert_solve_on_recovery")

    def __init__(
        self,
        *args: Any,
        groups: list[tuple[int, str]],
        has_imap_password: bool = False,
        has_smtp_password: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        group_field = self.fields["group_id"]
        assert isinstance(group_field, forms.ChoiceField)
        group_field.choices = [("", _("No group (default routing)")), *groups]
        keep = _("Leave empty to keep the stored password.")
        if has_imap_password:
            self.fields["imap_password"].help_text = keep
        if has_smtp_password:
            self.fields["smtp_password"].help_text = keep

    def section(self, names: tuple[str, ...]) -> list[forms.BoundField]:
        return [self[name] for name in names]

    def general_fields(self) -> list[forms.BoundField]:
        return self.section(self.GENERAL)

    def brand_fields(self) -> list[forms.BoundField]:
        return self.section(self.BRAND)

    def inbound_fields(self) -> list[forms.BoundField]:
        return self.section(self.INBOUND)

    def imap_fields(self) -> list[forms.BoundField]:
        return self.section(self.IMAP)

    def smtp_fields(self) -> list[forms.BoundField]:
        return self.section(self.SMTP)

    def alert_fields(self) -> list[forms.BoundField]:
        return self.section(self.ALERTS)

    def service_data(self) -> dict[str, Any]:
        """The cleaned values as the service's fields; an empty password keeps the stored
        one (``None``)."""
        data = dict(self.cleaned_data)
        data["max_message_bytes"] = data.pop("max_message_mb") * MB
        for name in ("imap_password", "smtp_password"):
            if not data.get(name):
                data[name] = None
        return data

    @staticmethod
    def initial_for(mailbox: Any) -> dict[str, Any]:
        names = (
            *MailboxForm.GENERAL,
            *MailboxForm.BRAND,
            *MailboxForm.INBOUND,
            *MailboxForm.IMAP,
            *MailboxForm.SMTP,
            *MailboxForm.ALERTS,
        )
        initial = {
            name: getattr(mailbox, name)
            for name in names
            if name not in ("imap_password", "smtp_password", "max_message_mb")
        }
        initial["max_message_mb"] = max(1, round(mailbox.max_message_bytes / MB))
        return initial


class LogoForm(forms.Form):
    brand_logo = forms.FileField(
        label=_("Portal logo"),
        required=False,
        help_text=_("PNG, JPEG, GIF or WebP, at most 512 KB."),
    )


class TemplateForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=255)
    body = forms.CharField(
        label=_("Body"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Plain text. Placeholders are replaced for each ticket; see the list."),
    )

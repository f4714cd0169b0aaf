"""What each provider's account asks an admin for: its settings (ids, shown back) and its
secrets (tokens, write-only), each with a label and help.

The settings screen builds its form from these, the API checks what it is given against
them, and ``docs/admin/channels.md`` lists the same names: one list per provider, read
through ``registry.account_fields``. A name the adapter reads must be declared here or an admin
cannot set it; the adapters themselves read ``AccountConfig.settings``/``secrets`` by name.

``one_of`` lists groups of settings where at least one must be given (Twilio sends from a
number or a messaging service).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrPromise

type FieldKind = Literal["text", "url", "number", "boolean"]


@dataclass(frozen=True)
class AccountField:
    name: str
    label: StrPromise
    secret: bool = False
    required: bool = False
    help: StrPromise | str = ""
    kind: FieldKind = "text"


@dataclass(frozen=True)
class ProviderFields:
    fields: tuple[AccountField, ...]
    one_of: tuple[tuple[str, ...], ...] = ()
    webhook_help: StrPromise | str = ""  # where the admin pastes the webhook URL
    names: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", frozenset(f.name for f in self.fields))

    @property
    def settings(self) -> tuple[AccountField, ...]:
        return tuple(f for f in self.fields if not f.secret)

    @property
    def secrets(self) -> tuple[AccountField, ...]:
        return tuple(f for f in self.fields if f.secret)


# --- shared pieces -----------------------------------------------------------------------------

API_BASE = AccountField(
    "api_base",
    _("API address"),
    kind="url",
    help=_("Leave empty for the provider's own API. Only for a proxy or a test server."),
)
API_VERSION = AccountField(
    "api_version",
    _("Graph API version"),
    help=_("Leave empty for the version Atiende was tested with, e.g. v21.0."),
)
META_SECRETS = (
    AccountField(
        "access_token",
        _("Access token"),
        secret=True,
        required=True,
        help=_("A system user's permanent token, used to send replies."),
    ),
    AccountField(
        "app_secret",
        _("App secret"),
        secret=True,
        required=True,
        help=_("The Meta app's secret: every webhook is checked against its signature."),
    ),
    AccountField(
        "verify_token",
        _("Verify token"),
        secret=True,
        required=True,
        help=_("Any long random text; type the same at Meta when you add the callback URL."),
    ),
)
SHARED_TOKEN = AccountField(
    "token",
    _("Token"),
    secret=True,
    required=True,
    help=_(
        "A long random text the sender proves it knows: as a bearer token, as the password of "
        "HTTP Basic, or as the key of an X-Atiende-Signature HMAC of the body."
    ),
)
ALERT_SETTINGS = (
    AccountField(
        "solve_on_recovery",
        _("Solve on recovery"),
        kind="boolean",
        help=_("When the monitor says the problem is over, solve its ticket (default: yes)."),
    ),
    AccountField(
        "flood_threshold",
        _("Flood threshold"),
        kind="number",
        help=_("More new alerts than this within the window go into one flood ticket (20)."),
    ),
    AccountField(
        "flood_window_minutes",
        _("Flood window (minutes)"),
        kind="number",
        help=_("The window the flood threshold counts in (5)."),
    ),
)
AGENT_EXTENSIONS = AccountField(
    "agent_extensions",
    _("Agent extensions"),
    help=_("Which agent answers each extension: 201=ana@example.com, 202=luis@example.com"),
)
ALERT_WEBHOOK = _("The monitor posts to this URL with the token (docs/admin/alerts.md).")
TWILIO_AUTH = AccountField(
    "auth_token",
    _("Auth token"),
    secret=True,
    required=True,
    help=_("The Twilio account's auth token: it checks every webhook's signature."),
)
TWILIO_SID = AccountField("account_sid", _("Account SID"), required=True, help=_("Starts with AC."))

# --- per provider ------------------------------------------------------------------------------

PROVIDER_FIELDS: dict[str, ProviderFields] = {
    "whatsapp": ProviderFields(
        fields=(
            AccountField(
                "phone_number_id",
                _("Phone number ID"),
                required=True,
                help=_("WhatsApp Manager → the number's ID (not the number itself)."),
            ),
            AccountField(
                "template_language",
                _("Template language"),
                help=_("The language code of your approved templates, e.g. es or es_MX."),
            ),
            API_VERSION,
            *META_SECRETS,
            API_BASE,
        ),
        webhook_help=_(
            "Meta app → WhatsApp → Configuration: paste it as the callback URL with the verify "
            "token, then subscribe to messages."
        ),
    ),
    "messenger": ProviderFields(
        fields=(
            AccountField("page_id", _("Page ID"), required=True),
            API_VERSION,
            *META_SECRETS,
            API_BASE,
        ),
        webhook_help=_(
            "Meta app → Webhooks: paste it as the callback URL with the verify token; subscribe "
            "to messages, message_deliveries and message_reads."
        ),
    ),
    "instagram": ProviderFields(
        fields=(
            AccountField(
                "page_id",
                _("Page ID"),
                required=True,
                help=_("The Facebook page the Instagram account is linked to."),
            ),
            API_VERSION,
            *META_SECRETS,
            API_BASE,
        ),
        webhook_help=_(
            "Meta app → Webhooks (Instagram): paste it as the callback URL with the verify "
            "token; subscribe to messages."
        ),
    ),
    "telegram": ProviderFields(
        fields=(
            AccountField(
                "bot_token",
                _("Bot token"),
                secret=True,
                required=True,
                help=_("The token @BotFather gave, e.g. 123456:ABC…"),
            ),
            AccountField(
                "webhook_secret",
                _("Webhook secret"),
                secret=True,
                required=True,
                help=_("Any long random text (A–Z, a–z, 0–9, _ and -); give it to setWebhook."),
            ),
            API_BASE,
        ),
        webhook_help=_(
            "Call setWebhook with this URL as url and the webhook secret as secret_token."
        ),
    ),
    "twilio_sms": ProviderFields(
        fields=(
            TWILIO_SID,
            AccountField(
                "from_number", _("From number"), help=_("The Twilio number, e.g. +15550001111.")
            ),
            AccountField(
                "messaging_service_sid",
                _("Messaging service SID"),
                help=_("Instead of a number: a messaging service (starts with MG)."),
            ),
            AccountField(
                "status_callback_url",
                _("Status callback URL"),
                kind="url",
                help=_("Where Twilio reports delivery; usually this account's webhook URL."),
            ),
            TWILIO_AUTH,
            API_BASE,
        ),
        one_of=(("from_number", "messaging_service_sid"),),
        webhook_help=_("The number's “A message comes in” webhook (HTTP POST)."),
    ),
    "twilio_voice": ProviderFields(
        fields=(TWILIO_SID, TWILIO_AUTH, API_BASE, AGENT_EXTENSIONS),
        webhook_help=_(
            "The number's “A call comes in” webhook and its status and recording callbacks "
            "(HTTP POST)."
        ),
    ),
    "generic_pbx": ProviderFields(
        fields=(SHARED_TOKEN, AGENT_EXTENSIONS),
        webhook_help=_(
            "The PBX's dialplan or ARI script posts call events here (docs/admin/phone.md)."
        ),
    ),
    "alertmanager": ProviderFields(
        fields=(SHARED_TOKEN, *ALERT_SETTINGS),
        webhook_help=_("A webhook receiver's url, with the token as http_config's bearer token."),
    ),
    "zabbix": ProviderFields(fields=(SHARED_TOKEN, *ALERT_SETTINGS), webhook_help=ALERT_WEBHOOK),
    "nagios": ProviderFields(fields=(SHARED_TOKEN, *ALERT_SETTINGS), webhook_help=ALERT_WEBHOOK),
    "generic_alert": ProviderFields(
        fields=(SHARED_TOKEN, *ALERT_SETTINGS), webhook_help=ALERT_WEBHOOK
    ),
}

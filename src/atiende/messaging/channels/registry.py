"""Which adapter speaks for which provider, and an account's settings as its adapter needs them.

Every provider a ``ChannelAccount`` may name (``models.ChannelProvider``) has one adapter
instance here: the two-way messaging adapters (``contract.Adapter``: verify, read, send) and
the receive-only ones (``receiving.Receiver``: alerts and phone). The intake needs only the
reading half of either, so ``reader`` serves both; ``sender`` only the two-way ones.

``api_base`` (where an adapter sends) is the provider's real API by default; the setting
``ATIENDE_CHANNEL_API_BASES`` (a dict by provider) changes the default for an installation,
and an account's ``settings["api_base"]`` changes it for that account (tests point it at
the fake servers on loopback).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping

from django.conf import settings

from atiende.messaging import crypto
from atiende.messaging.channels.account_fields import PROVIDER_FIELDS, ProviderFields
from atiende.messaging.channels.contract import AccountConfig, Adapter
from atiende.messaging.channels.providers import (
    alert_mail,
    alerts,
    meta,
    phone,
    telegram,
    whatsapp,
)
from atiende.messaging.channels.providers.receiving import Receiver
from atiende.messaging.channels.providers.twilio import TwilioSms
from atiende.messaging.models import ChannelAccount, ChannelProvider

SENDERS: dict[str, Adapter] = {
    adapter.provider: adapter
    for adapter in (
        whatsapp.WhatsAppCloud(),
        meta.Messenger(),
        meta.Instagram(),
        telegram.TelegramBot(),
        TwilioSms(),
    )
}
RECEIVERS: dict[str, Receiver] = {
    adapter.provider: adapter
    for adapter in (
        alerts.Alertmanager(),
        alerts.Zabbix(),
        alerts.Nagios(),
        alerts.GenericAlert(),
        alert_mail.AlertEmail(),
        phone.TwilioVoice(),
        phone.GenericPbx(),
    )
}
READERS: dict[str, Receiver] = {**RECEIVERS, **SENDERS}

# Meta's ``GET`` check of a webhook URL (``hub.challenge``): the providers that make it.
HANDSHAKES: dict[str, Callable[[AccountConfig, Mapping[str, str]], str]] = {
    "whatsapp": whatsapp.handshake,
    "messenger": meta.handshake,
    "instagram": meta.handshake,
}

DEFAULT_API_BASES = {
    "whatsapp": "https://graph.facebook.com",
    "messenger": "https://graph.facebook.com",
    "instagram": "https://graph.facebook.com",
    "telegram": "https://api.telegram.org",
    "twilio_sms": "https://api.twilio.com",
    "twilio_voice": "https://api.twilio.com",
}

# The largest webhook body accepted per provider (the view answers 413 above it, storing
# nothing). Meta documents WhatsApp Cloud webhooks of up to 3 MB (batches of events); every
# other provider's requests are a few KB, so 1 MiB leaves ample room.
DEFAULT_MAX_BODY = 1024 * 1024
META_MAX_BODY = 3 * 1024 * 1024
MAX_BODY = {"whatsapp": META_MAX_BODY, "messenger": META_MAX_BODY, "instagram": META_MAX_BODY}
LARGEST_BODY = max([DEFAULT_MAX_BODY, *MAX_BODY.values()])


def reader(provider: str) -> Receiver:
    """The adapter that checks and reads ``provider``'s webhooks (``KeyError`` if none)."""
    return READERS[provider]


def sender(provider: str) -> Adapter | None:
    """The adapter that sends through ``provider``; ``None`` for receive-only providers."""
    return SENDERS.get(provider)


def account_fields(provider: str) -> ProviderFields | None:
    """What an admin gives for an account of ``provider`` (``account_fields``); ``None`` for a
    provider that is not configured through the settings screen and the API."""
    return PROVIDER_FIELDS.get(provider)


def max_body(provider: str) -> int:
    return MAX_BODY.get(provider, DEFAULT_MAX_BODY)


def api_base(provider: str, account_settings: Mapping[str, object]) -> str:
    given = account_settings.get("api_base")
    if isinstance(given, str) and given.strip():
        return given.strip()
    configured = getattr(settings, "ATIENDE_CHANNEL_API_BASES", None) or {}
    return str(configured.get(provider) or DEFAULT_API_BASES.get(provider, ""))


def decrypt_secrets(token: str) -> dict[str, str]:
    """The account's secrets (``crypto.SecretUnreadable`` when no configured key fits)."""
    return dict(_decrypted(token))


@functools.lru_cache(maxsize=256)
def _decrypted(token: str) -> tuple[tuple[str, str], ...]:
    """Each webhook checks its signature with the account's secret: decrypting the same
    ciphertext again (reading the key files, Fernet's HMAC and AES) was a tenth of a webhook.
    Keyed by the ciphertext, so a changed or re-encrypted secret is a new entry; a failure is
    never remembered."""
    plain = crypto.decrypt(token)
    if not plain:
        return ()
    values = json.loads(plain)
    return tuple((str(name), str(value)) for name, value in values.items())


def encrypt_secrets(values: Mapping[str, str]) -> str:
    """What ``ChannelAccount.secrets`` stores for ``values`` (empty for none)."""
    if not values:
        return ""
    return crypto.encrypt(json.dumps(dict(values), sort_keys=True))


def config_for(account: ChannelAccount) -> AccountConfig:
    """``account`` as its adapter reads it: settings as text, secrets decrypted."""
    raw_settings = account.settings if isinstance(account.settings, dict) else {}
    return AccountConfig(
        provider=account.provider,
        settings={str(k): str(v) for k, v in raw_settings.items() if v is not None},
        secrets=decrypt_secrets(account.secrets),
        api_base=api_base(account.provider, raw_settings),
    )


def check_complete() -> None:
    """Every provider an account may name has an adapter (the tests call it)."""
    missing = set(ChannelProvider.values) - set(READERS)
    extra = set(READERS) - set(ChannelProvider.values)
    if missing or extra:
        raise AssertionError(f"providers without an adapter {missing}, unknown {extra}")

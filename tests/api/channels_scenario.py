"""The generated client's drive through /channel-accounts (issue 16): every operation once."""

from __future__ import annotations

from typing import Any

import pytest

from atiende.messaging.channels import services
from atiende.messaging.channels.contract import SignatureError
from atiende.messaging.models import ChannelAccount
from tests.messaging.channels import fake_telegram


def telegram(name: str, group_id: int) -> dict[str, Any]:
    """A Telegram account's creation body."""
    return {
        "provider": "telegram",
        "name": name,
        "group_id": group_id,
        "secrets": {"bot_token": fake_telegram.TOKEN, "webhook_secret": fake_telegram.SECRET},
    }


def drive_channels(api: Any, group_id: int) -> None:
    providers = api("channels_provider_fields")
    assert any(p.provider == "telegram" for p in providers)
    account = api("channels_create_account", body=telegram("Bot de soporte", group_id), ok=201)
    assert account.secrets_set == ["bot_token", "webhook_secret"]
    api("channels_update_account", account.id, body={"name": "Bot", "settings": {}})
    api("channels_read_account", account.id)
    api("channels_list_accounts")
    rotated = api("channels_rotate_key", account.id)
    assert rotated.webhook_url != account.webhook_url
    api("channels_delete_account", account.id, ok=204)
    drive_quarantine(api, group_id)


def drive_quarantine(api: Any, group_id: int) -> None:
    """An account's quarantine: two refused payloads, one retried and one put aside."""
    account = api("channels_create_account", body=telegram("Bot de ventas", group_id), ok=201)
    key = ChannelAccount.objects.get(pk=account.id).webhook_key
    for n in (1, 2):  # as the webhook stores them (no test client: it would close the DB)
        message = fake_telegram.private_message(n, text="Falsa")
        incoming = fake_telegram.update(fake_telegram.message_update(message), secret="wrong")
        with pytest.raises(SignatureError):
            services.receive(key, incoming)
    held = api("channel_quarantine_list_held", account.id).items
    assert [row.state for row in held] == ["quarantined", "quarantined"]
    assert api("channel_quarantine_read_held", account.id, held[0].id).body_preview
    assert api("channel_quarantine_retry_held", account.id, held[0].id).state == "quarantined"
    assert api("channel_quarantine_discard_held", account.id, held[1].id).state == "ignored"

"""The generated client's drive through /channel-accounts (issue 16): every operation once."""

from __future__ import annotations

from typing import Any

from tests.messaging.channels import fake_telegram


def drive_channels(api: Any, group_id: int) -> None:
    providers = api("channels_provider_fields")
    assert any(p.provider == "telegram" for p in providers)
    body = {
        "provider": "telegram",
        "name": "Bot de soporte",
        "group_id": group_id,
        "secrets": {"bot_token": fake_telegram.TOKEN, "webhook_secret": fake_telegram.SECRET},
    }
    account = api("channels_create_account", body=body, ok=201)
    assert account.secrets_set == ["bot_token", "webhook_secret"]
    api("channels_update_account", account.id, body={"name": "Bot", "settings": {}})
    api("channels_read_account", account.id)
    api("channels_list_accounts")
    rotated = api("channels_rotate_key", account.id)
    assert rotated.webhook_url != account.webhook_url
    api("channels_delete_account", account.id, ok=204)

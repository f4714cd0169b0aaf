"""/api/v1/channel-accounts: admins only; secrets write-only; the webhook URL in every answer;
a rotated key stops the old URL at once; bad input named with nothing written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from atiende.accounts.models import Group
from atiende.api import channels as channels_api
from atiende.messaging.channels import registry, services
from atiende.messaging.models import ChannelAccount, ChannelPayload
from tests.api.conftest import fields, problem
from tests.factories import SYSTEM, make_admin, make_agent, make_customer, make_group
from tests.messaging.channels import fake_telegram

pytestmark = pytest.mark.django_db

TELEGRAM = {
    "provider": "telegram",
    "name": "Bot de soporte",
    "secrets": {"bot_token": fake_telegram.TOKEN, "webhook_secret": fake_telegram.SECRET},
}


@pytest.fixture
def admin(as_user: Any) -> Any:
    return as_user(make_admin())


@pytest.fixture
def group() -> Group:
    return make_group("Soporte")


def no_secret(response: Any) -> None:
    text = response.content.decode()
    assert fake_telegram.TOKEN not in text and fake_telegram.SECRET not in text


def telegram_hook(path: str, secret: str = fake_telegram.SECRET) -> int:
    incoming = fake_telegram.update(
        fake_telegram.message_update(fake_telegram.private_message(1, text="Hola")), secret=secret
    )
    headers = {k: v for k, v in incoming.headers.items() if k != "content-type"}
    answer = Client().post(path, incoming.body, content_type="application/json", headers=headers)
    return int(answer.status_code)


def test_create_read_list_update_never_return_secrets(admin: Any, group: Group) -> None:
    created = admin.post("/channel-accounts", {**TELEGRAM, "group_id": group.pk})

    assert created.status_code == 201, created.content
    body = created.json()
    account = ChannelAccount.objects.get()
    assert body["group"] == {"id": group.pk, "name": "Soporte"}
    assert body["secrets_set"] == ["bot_token", "webhook_secret"]
    assert body["webhook_url"] == f"http://127.0.0.1:8000/hooks/{account.webhook_key}/"
    assert body["quarantined_count"] == 0 and body["last_received_at"] is None
    assert "secrets" not in body
    no_secret(created)
    assert fake_telegram.TOKEN not in account.secrets  # encrypted at rest

    for answer in (admin.get(f"/channel-accounts/{account.pk}"), admin.get("/channel-accounts")):
        assert answer.status_code == 200
        no_secret(answer)
    assert [a["id"] for a in admin.get("/channel-accounts").json()["items"]] == [account.pk]

    changed = admin.patch(
        f"/channel-accounts/{account.pk}", {"name": "Bot", "secrets": {"bot_token": "1:new"}}
    )
    assert changed.status_code == 200 and changed.json()["name"] == "Bot"
    assert "1:new" not in changed.content.decode()
    assert registry.config_for(ChannelAccount.objects.get()).secrets == {
        "bot_token": "1:new",
        "webhook_secret": fake_telegram.SECRET,
    }


def test_last_payload_and_quarantine_counts(admin: Any) -> None:
    account_id = admin.post("/channel-accounts", TELEGRAM).json()["id"]
    account = ChannelAccount.objects.get(pk=account_id)

    assert telegram_hook(f"/hooks/{account.webhook_key}/", secret="wrong") == 403

    body = admin.get(f"/channel-accounts/{account_id}").json()
    assert body["quarantined_count"] == 1 and body["last_received_at"] is not None


def test_rotating_the_key_stops_the_old_url(admin: Any) -> None:
    first = admin.post("/channel-accounts", TELEGRAM).json()
    old_path = first["webhook_url"].removeprefix("http://127.0.0.1:8000")

    rotated = admin.post(f"/channel-accounts/{first['id']}/rotate-key")

    assert rotated.status_code == 200
    new_path = rotated.json()["webhook_url"].removeprefix("http://127.0.0.1:8000")
    assert new_path != old_path
    assert telegram_hook(old_path) == 404
    assert ChannelPayload.objects.count() == 0
    assert telegram_hook(new_path) == 200


def test_deactivating_stops_the_webhook(admin: Any) -> None:
    created = admin.post("/channel-accounts", TELEGRAM).json()
    path = created["webhook_url"].removeprefix("http://127.0.0.1:8000")

    assert (
        admin.patch(f"/channel-accounts/{created['id']}", {"active": False}).json()["active"]
        is False
    )
    assert telegram_hook(path) == 404


def test_delete_only_an_account_without_history(admin: Any) -> None:
    unused = admin.post("/channel-accounts", TELEGRAM).json()
    used = admin.post("/channel-accounts", TELEGRAM).json()
    telegram_hook(used["webhook_url"].removeprefix("http://127.0.0.1:8000"))

    assert admin.delete(f"/channel-accounts/{unused['id']}").status_code == 204
    refused = problem(admin.delete(f"/channel-accounts/{used['id']}"), 409)

    assert "deactivate" in refused["detail"]
    assert list(ChannelAccount.objects.values_list("pk", flat=True)) == [used["id"]]
    problem(admin.delete(f"/channel-accounts/{unused['id']}"), 404)


def test_the_fields_of_every_provider_are_published(admin: Any) -> None:
    answer = admin.get("/channel-accounts/fields")

    assert answer.status_code == 200
    by_provider = {item["provider"]: item for item in answer.json()}
    assert set(by_provider) == set(registry.PROVIDER_FIELDS)
    telegram = {f["name"]: f for f in by_provider["telegram"]["fields"]}
    assert telegram["bot_token"]["secret"] and telegram["bot_token"]["required"]
    assert by_provider["twilio_sms"]["one_of"] == [["from_number", "messaging_service_sid"]]
    channels_api.check_providers()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**TELEGRAM, "provider": "pigeon"}, "provider"),
        ({**TELEGRAM, "secrets": {"bot_token": fake_telegram.TOKEN}}, "secrets.webhook_secret"),
        ({**TELEGRAM, "secrets": {**TELEGRAM["secrets"], "bot_tokn": "x"}}, "secrets.bot_tokn"),
        ({**TELEGRAM, "name": "x" * 201}, "name"),
        ({**TELEGRAM, "name": "  "}, "name"),
        ({**TELEGRAM, "group_id": 999_999}, "group_id"),
        ({**TELEGRAM, "settings": {"api_base": "javascript:alert(1)"}}, "settings.api_base"),
        ({**TELEGRAM, "secrets": "not an object"}, "secrets"),
        (
            {"provider": "whatsapp", "name": "WA", "secrets": {}},
            "settings.phone_number_id",
        ),
        (
            {
                "provider": "alertmanager",
                "name": "Alertas",
                "secrets": {"token": "t"},
                "settings": {"flood_threshold": "many"},
            },
            "settings.flood_threshold",
        ),
    ],
)
def test_bad_input_is_named_and_nothing_is_written(
    admin: Any, payload: dict[str, Any], field: str
) -> None:
    body = problem(admin.post("/channel-accounts", payload), 422)

    assert any(f == field or f.endswith(field) for f in fields(body)), body
    assert not ChannelAccount.objects.exists()


def test_an_inactive_group_is_refused(admin: Any, group: Group) -> None:
    Group.objects.filter(pk=group.pk).update(is_active=False)

    body = problem(admin.post("/channel-accounts", {**TELEGRAM, "group_id": group.pk}), 422)

    assert fields(body) == {"group_id"}
    assert not ChannelAccount.objects.exists()


def test_an_update_that_removes_a_required_secret_changes_nothing(admin: Any) -> None:
    created = admin.post("/channel-accounts", TELEGRAM).json()

    body = problem(
        admin.patch(
            f"/channel-accounts/{created['id']}",
            {"name": "Otro", "secrets": {"webhook_secret": ""}},
        ),
        422,
    )

    assert fields(body) == {"secrets.webhook_secret"}
    account = ChannelAccount.objects.get()
    assert account.name == "Bot de soporte"
    assert set(registry.config_for(account).secrets) == {"bot_token", "webhook_secret"}


def test_null_is_refused_where_it_means_nothing(admin: Any) -> None:
    created = admin.post("/channel-accounts", TELEGRAM).json()

    problem(admin.patch(f"/channel-accounts/{created['id']}", {"name": None}), 422)
    cleared = admin.patch(f"/channel-accounts/{created['id']}", {"group_id": None})

    assert cleared.status_code == 200 and cleared.json()["group"] is None


@pytest.mark.parametrize("who", ["agent", "customer"])
def test_only_admins(as_user: Any, who: str) -> None:
    account = services.create_account(SYSTEM, provider="telegram", name="Bot")
    user = make_agent() if who == "agent" else make_customer()
    caller = as_user(user)

    answers = [
        caller.get("/channel-accounts"),
        caller.get("/channel-accounts/fields"),
        caller.get(f"/channel-accounts/{account.pk}"),
        caller.post("/channel-accounts", TELEGRAM),
        caller.patch(f"/channel-accounts/{account.pk}", {"name": "Mine"}),
        caller.post(f"/channel-accounts/{account.pk}/rotate-key"),
        caller.delete(f"/channel-accounts/{account.pk}"),
    ]

    assert {a.status_code for a in answers} <= {401, 403}, [a.status_code for a in answers]
    stored = ChannelAccount.objects.get()
    assert (stored.name, stored.webhook_key) == ("Bot", account.webhook_key)


def test_anonymous_callers_are_refused() -> None:
    answer = Client().get("/api/v1/channel-accounts")

    problem(answer, 401)


def test_an_unknown_account_is_a_404(admin: Any) -> None:
    problem(admin.get("/channel-accounts/999"), 404)
    problem(admin.patch("/channel-accounts/999", {"name": "x"}), 404)
    problem(admin.post("/channel-accounts/999/rotate-key"), 404)


def test_create_is_idempotent_with_a_key(admin: Any) -> None:
    first = admin.post("/channel-accounts", TELEGRAM, **{"Idempotency-Key": "ch-1"})
    again = admin.post("/channel-accounts", TELEGRAM, **{"Idempotency-Key": "ch-1"})

    assert first.status_code == 201 and json.loads(again.content) == first.json()
    assert ChannelAccount.objects.count() == 1

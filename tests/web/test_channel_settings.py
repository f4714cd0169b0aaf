"""Channel account settings and the channel quarantine: admins only; each provider's fields
from the registry; secrets never shown back; a rotated key stops the old webhook URL at once;
bad input named next to its field with nothing written; retry and put aside."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import Group, User
from atiende.messaging.channels import registry, services
from atiende.messaging.channels.contract import Incoming
from atiende.messaging.channels.services.reasons import quarantine
from atiende.messaging.models import ChannelAccount, ChannelPayload, ChannelPayloadState
from atiende.tickets.models import Ticket
from tests.factories import SYSTEM, make_admin, make_agent, make_customer, make_group
from tests.messaging.channels import fake_telegram

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "_tasks_run_at_once")]

NEW_TOKEN = "654321:ZYX-new-token-never-shown"


@pytest.fixture
def _tasks_run_at_once(settings: Any) -> None:
    """The webhook's processing task runs inside the request."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }


def client_for(user: User, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


@pytest.fixture
def admin() -> User:
    return make_admin(name="Ada Admin")


@pytest.fixture
def as_admin(admin: User) -> Client:
    return client_for(admin)


@pytest.fixture
def group() -> Group:
    return make_group("Soporte")


def telegram_form(group: Group | None = None, **changes: str) -> dict[str, str]:
    form = {
        "name": "Bot de soporte",
        "group_id": str(group.pk) if group else "",
        "active": "on",
        "secrets__bot_token": fake_telegram.TOKEN,
        "secrets__webhook_secret": fake_telegram.SECRET,
        "settings__api_base": "",
    }
    form.update(changes)
    return form


def telegram_account(group: Group | None = None) -> ChannelAccount:
    return services.create_account(
        SYSTEM,
        provider="telegram",
        name="Bot de soporte",
        group_id=group.pk if group else None,
        secrets={"bot_token": fake_telegram.TOKEN, "webhook_secret": fake_telegram.SECRET},
    )


def hook(account: ChannelAccount) -> str:
    return f"/hooks/{account.webhook_key}/"


def post_hook(path: str, incoming: Incoming) -> Any:
    headers = {k: v for k, v in incoming.headers.items() if k != "content-type"}
    return Client().post(
        path,
        data=incoming.body,
        content_type=incoming.headers.get("content-type", "application/json"),
        headers=headers,
    )


def telegram_text(text: str, message_id: int = 1, secret: str = fake_telegram.SECRET) -> Incoming:
    message = fake_telegram.private_message(message_id, text=text)
    return fake_telegram.update(fake_telegram.message_update(message), secret=secret)


def assert_no_secret(html: str) -> None:
    assert fake_telegram.TOKEN not in html and fake_telegram.SECRET not in html
    assert NEW_TOKEN not in html


# --- who may come in ---------------------------------------------------------------------------


def test_agents_customers_and_visitors_are_kept_out(group: Group) -> None:
    account = telegram_account(group)
    payload = ChannelPayload.objects.create(
        account=account, method="POST", url="", body=b"{}", received_at=account.created_at
    )
    pages = [
        reverse("channels-accounts"),
        reverse("channels-account-new"),
        reverse("channels-account-create", args=["telegram"]),
        reverse("channels-account", args=[account.pk]),
        reverse("channels-quarantine"),
        reverse("channels-payload", args=[payload.pk]),
    ]
    actions = [
        (reverse("channels-account-create", args=["telegram"]), telegram_form(group)),
        (reverse("channels-account", args=[account.pk]), telegram_form(group, name="Mío")),
        (reverse("channels-account-rotate", args=[account.pk]), {}),
        (reverse("channels-account-active", args=[account.pk]), {"active": "0"}),
        (reverse("channels-account-delete", args=[account.pk]), {}),
        (reverse("channels-payload-action", args=[payload.pk, "discard"]), {}),
    ]
    agent, customer = client_for(make_agent(group)), client_for(make_customer())
    for url in pages:
        assert agent.get(url).status_code == 403, url
        assert customer.get(url).status_code == 403, url
        assert Client().get(url).status_code == 302, url
    for url, data in actions:
        assert agent.post(url, data).status_code == 403, url
        assert Client().post(url, data).status_code == 302, url

    stored = ChannelAccount.objects.get()
    assert (stored.name, stored.webhook_key, stored.active) == (
        "Bot de soporte",
        account.webhook_key,
        True,
    )
    assert ChannelPayload.objects.get().state == ChannelPayloadState.RECEIVED


def test_posts_need_the_csrf_token(admin: User, group: Group) -> None:
    account = telegram_account(group)
    client = client_for(admin, csrf=True)

    created = client.post(
        reverse("channels-account-create", args=["telegram"]), telegram_form(group, name="Otro")
    )
    rotated = client.post(reverse("channels-account-rotate", args=[account.pk]))

    assert created.status_code == 403 and rotated.status_code == 403
    assert ChannelAccount.objects.get().webhook_key == account.webhook_key


# --- the list and the provider's fields ---------------------------------------------------------


def test_the_list_shows_provider_group_state_last_payload_and_quarantine(
    as_admin: Client, group: Group
) -> None:
    account = telegram_account(group)
    assert post_hook(hook(account), telegram_text("Hola", secret="wrong")).status_code == 403
    services.deactivate_account(SYSTEM, account_id=account.pk)

    html = as_admin.get(reverse("channels-accounts")).content.decode()

    assert "Bot de soporte" in html and "Telegram bot" in html and "Soporte" in html
    assert "Inactive" in html and "Never" not in html
    assert f'href="{reverse("channels-quarantine")}">1</a>' in html
    assert_no_secret(html)


def test_the_new_account_page_offers_every_configurable_provider(as_admin: Client) -> None:
    html = as_admin.get(reverse("channels-account-new")).content.decode()

    for provider in ("whatsapp", "messenger", "instagram", "telegram", "twilio_sms"):
        assert reverse("channels-account-create", args=[provider]) in html
    assert as_admin.get(reverse("channels-account-create", args=["pigeon"])).status_code == 404


def test_each_provider_form_has_the_fields_the_registry_declares(as_admin: Client) -> None:
    for provider in ("whatsapp", "twilio_sms", "alertmanager"):
        spec = registry.account_fields(provider)
        assert spec is not None
        html = as_admin.get(reverse("channels-account-create", args=[provider])).content.decode()
        for item in spec.settings:
            assert f'name="settings__{item.name}"' in html, (provider, item.name)
        for item in spec.secrets:
            assert f'name="secrets__{item.name}" type="password"' in html or (
                f'type="password" name="secrets__{item.name}"' in html
            ), (provider, item.name)


# --- create, edit, secrets ------------------------------------------------------------------------


def test_creating_an_account_stores_secrets_encrypted_and_shows_the_webhook_url(
    as_admin: Client, group: Group
) -> None:
    answer = as_admin.post(
        reverse("channels-account-create", args=["telegram"]), telegram_form(group), follow=True
    )

    account = ChannelAccount.objects.get()
    html = answer.content.decode()
    assert answer.status_code == 200
    assert (account.provider, account.name, account.group_id) == (
        "telegram",
        "Bot de soporte",
        group.pk,
    )
    assert fake_telegram.TOKEN not in account.secrets
    assert registry.config_for(account).secrets["bot_token"] == fake_telegram.TOKEN
    assert f"http://127.0.0.1:8000/hooks/{account.webhook_key}/" in html
    assert "data-copy" in html and "Bot token: set" in html
    assert_no_secret(html)


def test_editing_keeps_a_secret_left_empty_and_replaces_one_typed(
    as_admin: Client, group: Group
) -> None:
    account = telegram_account(group)
    url = reverse("channels-account", args=[account.pk])
    assert_no_secret(as_admin.get(url).content.decode())

    kept = as_admin.post(
        url, telegram_form(group, name="Renamed", secrets__bot_token="", secrets__webhook_secret="")
    )
    assert kept.status_code == 302
    assert registry.config_for(ChannelAccount.objects.get()).secrets == {
        "bot_token": fake_telegram.TOKEN,
        "webhook_secret": fake_telegram.SECRET,
    }

    as_admin.post(
        url, telegram_form(group, secrets__bot_token=NEW_TOKEN, secrets__webhook_secret="")
    )
    stored = ChannelAccount.objects.get()
    assert registry.config_for(stored).secrets["bot_token"] == NEW_TOKEN
    assert NEW_TOKEN not in stored.secrets
    assert_no_secret(as_admin.get(url).content.decode())


def test_settings_are_shown_back_and_undeclared_ones_kept(as_admin: Client, group: Group) -> None:
    account = services.create_account(
        SYSTEM,
        provider="twilio_sms",
        name="SMS",
        group_id=group.pk,
        settings={"account_sid": "AC123", "from_number": "+15550001111", "legacy": "kept"},
        secrets={"auth_token": "twilio-auth-token-value"},
    )
    url = reverse("channels-account", args=[account.pk])
    html = as_admin.get(url).content.decode()
    assert 'value="AC123"' in html and "twilio-auth-token-value" not in html

    form = {
        "name": "SMS",
        "group_id": str(group.pk),
        "active": "on",
        "settings__account_sid": "AC999",
        "settings__from_number": "+15550001111",
        "secrets__auth_token": "",
    }
    assert as_admin.post(url, form).status_code == 302
    assert ChannelAccount.objects.get().settings == {
        "account_sid": "AC999",
        "from_number": "+15550001111",
        "legacy": "kept",
    }


# --- bad input: named next to its field, nothing written ----------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"secrets__bot_token": ""}, "secrets__bot_token", "This field is required."),
        ({"name": "x" * 201}, "name", "at most 200 characters"),
        ({"name": "   "}, "name", "This field is required."),
        ({"group_id": "999999"}, "group_id", "Select a valid choice."),
        ({"settings__api_base": "ftp://example.com"}, "settings__api_base", "https://"),
    ],
)
def test_bad_input_is_named_and_nothing_is_written(
    as_admin: Client, group: Group, changes: dict[str, str], field: str, message: str
) -> None:
    answer = as_admin.post(
        reverse("channels-account-create", args=["telegram"]), telegram_form(group, **changes)
    )

    assert answer.status_code == 422
    errors = answer.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert not ChannelAccount.objects.exists()


def test_an_inactive_group_cannot_be_chosen(as_admin: Client, group: Group) -> None:
    Group.objects.filter(pk=group.pk).update(is_active=False)

    answer = as_admin.post(
        reverse("channels-account-create", args=["telegram"]), telegram_form(group)
    )

    assert answer.status_code == 422 and "group_id" in answer.context["form"].errors
    assert not ChannelAccount.objects.exists()


def test_twilio_needs_a_number_or_a_messaging_service(as_admin: Client) -> None:
    form = {
        "name": "SMS",
        "group_id": "",
        "active": "on",
        "settings__account_sid": "AC123",
        "secrets__auth_token": "t",
    }

    answer = as_admin.post(reverse("channels-account-create", args=["twilio_sms"]), form)

    assert answer.status_code == 422
    assert "from_number" in " ".join(answer.context["form"].errors["settings__from_number"])
    assert not ChannelAccount.objects.exists()


def test_removing_a_required_secret_on_edit_is_refused(as_admin: Client, group: Group) -> None:
    account = services.create_account(
        SYSTEM, provider="generic_alert", name="Monitor", secrets={}, settings={}
    )
    form = {"name": "Monitor", "group_id": "", "active": "on", "secrets__token": ""}

    answer = as_admin.post(reverse("channels-account", args=[account.pk]), form)

    assert answer.status_code == 422
    assert "secrets__token" in answer.context["form"].errors
    assert ChannelAccount.objects.get().name == "Monitor"


# --- the webhook key, enabling, deleting ---------------------------------------------------------


def test_rotating_the_key_stops_the_old_url_at_once(as_admin: Client, group: Group) -> None:
    account = telegram_account(group)
    old = hook(account)
    assert post_hook(old, telegram_text("Antes", 1)).status_code == 200

    answer = as_admin.post(reverse("channels-account-rotate", args=[account.pk]), follow=True)

    account.refresh_from_db()
    assert answer.status_code == 200 and "the old one stopped working" in answer.content.decode()
    assert hook(account) != old and hook(account) in answer.content.decode()
    assert post_hook(old, telegram_text("Con la vieja", 2)).status_code == 404
    assert post_hook(hook(account), telegram_text("Con la nueva", 3)).status_code == 200
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["Antes"]  # one thread
    assert ChannelPayload.objects.count() == 2


def test_rotating_says_on_the_button_that_the_old_url_stops(as_admin: Client) -> None:
    account = telegram_account()

    html = as_admin.get(reverse("channels-account", args=[account.pk])).content.decode()

    assert "the current one stops now" in html


def test_disabling_and_enabling(as_admin: Client) -> None:
    account = telegram_account()
    url = reverse("channels-account-active", args=[account.pk])

    as_admin.post(url, {"active": "0"})
    assert post_hook(hook(account), telegram_text("Hola")).status_code == 404
    as_admin.post(url, {"active": "1"})
    assert post_hook(hook(account), telegram_text("Hola")).status_code == 200


def test_an_unused_account_is_deleted_one_with_history_is_not(as_admin: Client) -> None:
    unused, used = telegram_account(), telegram_account()
    post_hook(hook(used), telegram_text("Hola"))

    gone = as_admin.post(reverse("channels-account-delete", args=[unused.pk]))
    kept = as_admin.post(reverse("channels-account-delete", args=[used.pk]), follow=True)

    assert gone.status_code == 302
    assert "deactivate it" in kept.content.decode()
    assert list(ChannelAccount.objects.values_list("pk", flat=True)) == [used.pk]


def test_an_unknown_account_is_a_404_page(as_admin: Client) -> None:
    assert as_admin.get(reverse("channels-account", args=[999])).status_code == 404
    assert as_admin.post(reverse("channels-account-rotate", args=[999])).status_code == 404


# --- the quarantine ------------------------------------------------------------------------------


def test_a_refused_payload_is_listed_with_redacted_headers_and_an_escaped_body(
    as_admin: Client, group: Group
) -> None:
    account = telegram_account(group)
    evil = fake_telegram.update({"update_id": 1, "note": "<script>alert(1)</script>"}, secret="x")
    assert post_hook(hook(account), evil).status_code == 403
    payload = ChannelPayload.objects.get()

    listing = as_admin.get(reverse("channels-quarantine")).content.decode()
    detail = as_admin.get(reverse("channels-payload", args=[payload.pk])).content.decode()

    assert reverse("channels-payload", args=[payload.pk]) in listing and "Bot de soporte" in listing
    assert "The signature was refused" in detail and "Not accepted" in detail
    assert "[redacted]" in detail and "x-telegram-bot-api-secret-token" in detail
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail and "<script>alert" not in detail


def test_retrying_a_refused_payload_never_bypasses_the_signature(as_admin: Client) -> None:
    account = telegram_account()
    post_hook(hook(account), telegram_text("Falsa", secret="wrong"))
    payload = ChannelPayload.objects.get()

    answer = as_admin.post(reverse("channels-payload-action", args=[payload.pk, "retry"]))

    payload.refresh_from_db()
    assert answer.status_code == 302
    assert payload.state == ChannelPayloadState.QUARANTINED
    assert "never checked" in payload.reason and not Ticket.objects.exists()


def test_retrying_a_payload_that_failed_processing_writes_it(
    as_admin: Client, settings: Any, group: Group
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # not run
    account = telegram_account(group)
    assert post_hook(hook(account), telegram_text("Mi pedido no llegó")).status_code == 200
    services.take_in_spool()
    payload = ChannelPayload.objects.get()
    quarantine(payload.pk, "Processing failed: OperationalError: database is locked")

    answer = as_admin.post(reverse("channels-payload-action", args=[payload.pk, "retry"]))

    payload.refresh_from_db()
    assert answer.status_code == 302 and payload.state == ChannelPayloadState.PROCESSED
    assert Ticket.objects.get().subject == "Mi pedido no llegó"


def test_putting_aside_keeps_the_payload_as_ignored(as_admin: Client, admin: User) -> None:
    account = telegram_account()
    post_hook(hook(account), telegram_text("Spam", secret="wrong"))
    payload = ChannelPayload.objects.get()

    as_admin.post(reverse("channels-payload-action", args=[payload.pk, "discard"]))

    payload.refresh_from_db()
    assert payload.state == ChannelPayloadState.IGNORED
    assert payload.reason.startswith("Discarded by Ada Admin. The signature was refused")
    default = as_admin.get(reverse("channels-quarantine")).content.decode()
    ignored = as_admin.get(reverse("channels-quarantine") + "?state=ignored").content.decode()
    assert reverse("channels-payload", args=[payload.pk]) not in default
    assert reverse("channels-payload", args=[payload.pk]) in ignored
    again = as_admin.post(
        reverse("channels-payload-action", args=[payload.pk, "discard"]), follow=True
    )
    assert "only quarantined payloads can be put aside" in again.content.decode()


def test_an_unknown_action_or_payload_is_a_404(as_admin: Client) -> None:
    account = telegram_account()
    post_hook(hook(account), telegram_text("x", secret="wrong"))
    payload = ChannelPayload.objects.get()

    assert (
        as_admin.post(reverse("channels-payload-action", args=[payload.pk, "eat"])).status_code
        == 404
    )
    assert as_admin.post(reverse("channels-payload-action", args=[999, "retry"])).status_code == 404
    assert as_admin.get(reverse("channels-payload", args=[999])).status_code == 404

"""Channel intake end to end: a provider's webhook through the real view, stored raw, read by
the adapter and written as tickets (``messaging.channels.services``), with the payloads built
by the fakes the adapters' own tests use."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from atiende.accounts.models import Identity, IdentityChannel, User
from atiende.accounts.services import add_identity
from atiende.core.errors import Forbidden, Invalid
from atiende.messaging.channels import registry, services
from atiende.messaging.channels.contract import InboundMessage, Incoming, Sender
from atiende.messaging.channels.tasks import sweep_channel_payloads
from atiende.messaging.models import (
    ChannelAccount,
    ChannelDeliveryState,
    ChannelDirection,
    ChannelMessage,
    ChannelPayload,
    ChannelPayloadState,
)
from atiende.tickets.models import Message, Ticket
from atiende.tickets.services import change_status
from tests.factories import SYSTEM, make_agent, make_customer, make_group, web
from tests.messaging.channels import fake_graph, fake_telegram, fake_twilio

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    """The view's processing task runs inside the request, as ATIENDE_TASKS_IMMEDIATE does."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }


# Media are downloaded from the account's API: here nothing listens (never the internet).
UNREACHABLE = "http://127.0.0.1:9"


def telegram_account(**fields: Any) -> ChannelAccount:
    fields.setdefault("group_id", make_group().pk)
    fields.setdefault("settings", {"api_base": UNREACHABLE})
    return services.create_account(
        SYSTEM,
        provider="telegram",
        name="Support bot",
        secrets={"bot_token": fake_telegram.TOKEN, "webhook_secret": fake_telegram.SECRET},
        **fields,
    )


def whatsapp_account() -> ChannelAccount:
    return services.create_account(
        SYSTEM,
        provider="whatsapp",
        name="WhatsApp +1 555 078 3881",
        group_id=make_group().pk,
        settings={
            "phone_number_id": fake_graph.PHONE_NUMBER_ID,
            "verify_token": fake_graph.VERIFY_TOKEN,
            "api_base": UNREACHABLE,
        },
        secrets={"app_secret": fake_graph.APP_SECRET, "access_token": fake_graph.ACCESS_TOKEN},
    )


def url(account: ChannelAccount) -> str:
    return f"/hooks/{account.webhook_key}/"


def post(client: Client, account: ChannelAccount | str, incoming: Incoming) -> Any:
    """``incoming`` as the provider would POST it to the account's webhook URL."""
    path = url(account) if isinstance(account, ChannelAccount) else account
    headers = {name: value for name, value in incoming.headers.items() if name != "content-type"}
    return client.post(
        path,
        data=incoming.body,
        content_type=incoming.headers.get("content-type", "application/octet-stream"),
        headers=headers,
    )


def telegram_text(text: str, message_id: int = 1365) -> Incoming:
    message = fake_telegram.private_message(message_id, text=text)
    return fake_telegram.update(fake_telegram.message_update(message))


def only_payload() -> ChannelPayload:
    payloads = list(ChannelPayload.objects.all())
    assert len(payloads) == 1
    return payloads[0]


# --- Telegram --------------------------------------------------------------------------------


def test_a_telegram_message_opens_a_ticket_for_the_customer_found_by_identity(
    client: Client,
) -> None:
    account = telegram_account()
    lucia = make_customer(name="Lucía Pérez")
    add_identity(SYSTEM, user_id=lucia.pk, channel="telegram", value=str(fake_telegram.CHAT_ID))

    answer = post(client, account, telegram_text("My order has not arrived\nIt was due Monday"))

    assert answer.status_code == 200 and answer.content == b""
    ticket = Ticket.objects.get()
    assert ticket.channel == "telegram"
    assert ticket.requester_id == lucia.pk
    assert ticket.group_id == account.group_id
    assert ticket.subject == "My order has not arrived"
    message = Message.objects.get(ticket=ticket)
    assert message.body_text == "My order has not arrived\nIt was due Monday"
    assert message.channel == "telegram" and message.author_id == lucia.pk
    link = ChannelMessage.objects.get()
    assert (link.account_id, link.direction, link.message_id) == (
        account.pk,
        ChannelDirection.INBOUND,
        message.pk,
    )
    assert link.provider_id == f"{fake_telegram.CHAT_ID}:1365"
    assert only_payload().state == ChannelPayloadState.PROCESSED


def test_the_same_update_twice_is_one_message(client: Client) -> None:
    account = telegram_account()
    incoming = telegram_text("Hello, is anybody there?")

    assert post(client, account, incoming).status_code == 200
    assert post(client, account, incoming).status_code == 200

    assert Message.objects.count() == 1 and ChannelMessage.objects.count() == 1
    first, second = ChannelPayload.objects.order_by("pk")
    assert first.state == ChannelPayloadState.PROCESSED
    assert second.state == ChannelPayloadState.IGNORED
    assert "already been written" in second.reason


def test_a_second_message_of_the_chat_goes_to_the_same_ticket(client: Client) -> None:
    account = telegram_account()

    post(client, account, telegram_text("First question", 1))
    post(client, account, telegram_text("And another thing", 2))

    ticket = Ticket.objects.get()
    bodies = list(
        Message.objects.filter(ticket=ticket).order_by("pk").values_list("body_text", flat=True)
    )
    assert bodies == ["First question", "And another thing"]
    customer = User.objects.get(identities__channel="telegram")
    assert customer.email is None and customer.name == "Lucía Pérez"
    assert customer.is_customer


def test_after_the_ticket_is_closed_the_chat_opens_a_new_one(client: Client) -> None:
    account = telegram_account()
    post(client, account, telegram_text("First question", 1))
    ticket = Ticket.objects.get()
    change_status(SYSTEM, ticket_id=ticket.pk, version=ticket.version, status="closed")

    post(client, account, telegram_text("A new problem", 2))

    assert Ticket.objects.count() == 2
    assert Ticket.objects.order_by("-pk")[0].subject == "A new problem"


def test_the_same_chat_on_two_bots_is_two_conversations(client: Client) -> None:
    first, second = telegram_account(), telegram_account(group_id=None)

    post(client, first, telegram_text("To the first bot", 1))
    post(client, second, telegram_text("To the second bot", 1))

    assert Ticket.objects.count() == 2
    assert User.objects.filter(identities__channel="telegram").count() == 1
    assert Ticket.objects.get(subject="To the second bot").group_id is None


def test_spanish_text_and_emoji_are_kept_and_a_new_customer_speaks_spanish(
    client: Client,
) -> None:
    account = telegram_account()
    text = "¿Dónde está mi pedido? 📦\nLo compré el lunes y todavía no llegó, señora Núñez 🙏"

    post(client, account, telegram_text(text))

    message = Message.objects.get()
    assert message.body_text == text
    assert message.ticket.subject == "¿Dónde está mi pedido? 📦"
    assert User.objects.get(identities__channel="telegram").locale == "es"


def test_a_long_first_line_is_cut_for_the_subject() -> None:
    line = (
        "Necesito ayuda con la factura número 12345 que me llegó duplicada este mes, "
        "¿pueden revisarla?"
    )
    event = InboundMessage(
        provider_id="1", sender=Sender(channel="sms", address="+1555"), text=line
    )

    subject = services.subject_of(event, "sms")

    assert len(subject) == 80 and subject.endswith("…") and line.startswith(subject[:-1])


def test_the_secret_header_is_stored_redacted(client: Client) -> None:
    account = telegram_account()

    post(client, account, telegram_text("Hello"))

    payload = only_payload()
    assert payload.headers["x-telegram-bot-api-secret-token"] == "[redacted]"
    assert payload.headers["content-type"] == "application/json"
    assert fake_telegram.SECRET not in str(payload.headers)


def test_a_wrong_secret_is_403_and_the_payload_is_quarantined(client: Client) -> None:
    account = telegram_account()
    message = fake_telegram.private_message(text="Let me in")
    incoming = fake_telegram.update(fake_telegram.message_update(message), secret="wrong")

    answer = post(client, account, incoming)

    assert answer.status_code == 403
    payload = only_payload()
    assert payload.state == ChannelPayloadState.QUARANTINED
    assert "secret token does not match" in payload.reason
    assert bytes(payload.body) == incoming.body
    assert not Ticket.objects.exists()


def test_an_unknown_or_inactive_key_is_404_and_nothing_is_stored(client: Client) -> None:
    account = telegram_account()
    services.deactivate_account(SYSTEM, account_id=account.pk)

    assert post(client, "/hooks/no-such-key/", telegram_text("Hi")).status_code == 404
    assert post(client, account, telegram_text("Hi")).status_code == 404

    assert not ChannelPayload.objects.exists()


def test_malformed_json_is_acknowledged_then_quarantined_naming_the_field(
    client: Client,
) -> None:
    account = telegram_account()

    answer = post(client, account, fake_telegram.update(b'{"update_id": 1, "message": '))

    assert answer.status_code == 200
    payload = only_payload()
    assert payload.state == ChannelPayloadState.QUARANTINED
    assert payload.reason.startswith("The payload is not what the provider sends (body): ")
    assert bytes(payload.body) == b'{"update_id": 1, "message": '


def test_a_payload_of_the_wrong_shape_is_quarantined_naming_the_path(client: Client) -> None:
    account = telegram_account()
    message = fake_telegram.private_message(text="Hi")
    del message["chat"]

    assert (
        post(
            client, account, fake_telegram.update({"update_id": 5, "message": message})
        ).status_code
        == 200
    )

    payload = only_payload()
    assert payload.state == ChannelPayloadState.QUARANTINED
    assert "message.chat" in payload.reason


def test_a_body_over_the_limit_is_413_and_not_stored(client: Client) -> None:
    account = telegram_account()
    big = fake_telegram.update(b"{" + b" " * registry.max_body("telegram") + b"}")

    assert post(client, account, big).status_code == 413
    assert not ChannelPayload.objects.exists()


def test_a_group_chat_message_is_ignored_with_a_reason(client: Client) -> None:
    account = telegram_account()
    message = fake_telegram.private_message(text="hi all")
    message["chat"] = {"id": -100123, "title": "Friends", "type": "group"}

    post(client, account, fake_telegram.update(fake_telegram.message_update(message)))

    payload = only_payload()
    assert payload.state == ChannelPayloadState.IGNORED and payload.reason
    assert not Ticket.objects.exists()


def test_a_photo_that_cannot_be_downloaded_is_named_in_the_text(client: Client) -> None:
    account = telegram_account()
    message = fake_telegram.private_message(
        photo=fake_telegram.photo_sizes(), caption="The broken box"
    )

    post(client, account, fake_telegram.update(fake_telegram.message_update(message)))

    body = Message.objects.get().body_text
    assert body.startswith("The broken box\n")
    assert "[Attachment could not be downloaded: " in body  # test_media_intake: when it can


def test_a_suspended_sender_is_quarantined(client: Client) -> None:
    account = telegram_account()
    post(client, account, telegram_text("First", 1))
    customer = User.objects.get(identities__channel="telegram")
    User.objects.filter(pk=customer.pk).update(is_active=False)

    post(client, account, telegram_text("Second", 2))

    latest = ChannelPayload.objects.order_by("-pk")[0]
    assert latest.state == ChannelPayloadState.QUARANTINED and "suspended" in latest.reason
    assert Message.objects.count() == 1 and ChannelMessage.objects.count() == 1


def test_processing_again_writes_nothing_twice(client: Client) -> None:
    account = telegram_account()
    post(client, account, telegram_text("Once"))
    payload = only_payload()
    ChannelPayload.objects.filter(pk=payload.pk).update(state=ChannelPayloadState.RECEIVED)

    assert services.process(payload.pk).state == ChannelPayloadState.IGNORED
    assert Message.objects.count() == 1


# --- WhatsApp --------------------------------------------------------------------------------


def test_a_signed_whatsapp_text_opens_a_ticket(client: Client) -> None:
    account = whatsapp_account()
    incoming = fake_graph.webhook(fake_graph.wa_payload(fake_graph.wa_text("Hola, necesito ayuda")))

    assert post(client, account, incoming).status_code == 200

    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.subject, ticket.group_id) == (
        "whatsapp",
        "Hola, necesito ayuda",
        account.group_id,
    )
    identity = Identity.objects.get(channel=IdentityChannel.WHATSAPP)
    assert identity.value == "+5491155550000"  # as people type it: one form
    assert ticket.requester_id == identity.user_id
    assert ticket.requester.name == "Begoña Núñez"


def test_a_whatsapp_image_without_caption_gets_a_subject_of_its_own(client: Client) -> None:
    account = whatsapp_account()
    image = fake_graph.wa_message("image", {"id": "1234567890", "mime_type": "image/jpeg"})

    post(client, account, fake_graph.webhook(fake_graph.wa_payload(image)))

    ticket = Ticket.objects.get()
    assert ticket.subject == "WhatsApp conversation with Begoña Núñez"
    assert "[Attachment could not be downloaded: " in Message.objects.get().body_text


def test_delivery_reports_move_an_outbound_message_forward_only(client: Client) -> None:
    account = whatsapp_account()
    sent = ChannelMessage.objects.create(
        account=account,
        direction=ChannelDirection.OUTBOUND,
        provider_id="wamid.OUT1",
        address="5491155550000",
        state=ChannelDeliveryState.SENT,
    )

    def report(status: str) -> Incoming:
        value = fake_graph.wa_value(statuses=[fake_graph.wa_status("wamid.OUT1", status)])
        return fake_graph.webhook(fake_graph.wa_envelope(value))

    assert post(client, account, report("read")).status_code == 200
    sent.refresh_from_db()
    assert sent.state == ChannelDeliveryState.READ

    assert post(client, account, report("delivered")).status_code == 200
    sent.refresh_from_db()
    assert sent.state == ChannelDeliveryState.READ
    assert set(ChannelPayload.objects.values_list("state", flat=True)) == {"processed"}


def test_a_report_for_a_message_we_do_not_know_is_ignored(client: Client) -> None:
    account = whatsapp_account()
    value = fake_graph.wa_value(statuses=[fake_graph.wa_status("wamid.NOPE", "delivered")])

    assert (
        post(client, account, fake_graph.webhook(fake_graph.wa_envelope(value))).status_code == 200
    )

    stored = only_payload()
    assert stored.state == ChannelPayloadState.IGNORED
    assert "did not send (wamid.NOPE)" in stored.reason
    assert not ChannelMessage.objects.exists()


def test_a_failed_report_keeps_the_providers_reason(client: Client) -> None:
    account = whatsapp_account()
    sent = ChannelMessage.objects.create(
        account=account,
        direction=ChannelDirection.OUTBOUND,
        provider_id="wamid.OUT2",
        state=ChannelDeliveryState.SENT,
    )
    error = {"code": 131047, "title": "Re-engagement message"}
    status = fake_graph.wa_status("wamid.OUT2", "failed", errors=[error])
    value = fake_graph.wa_value(statuses=[status])

    post(client, account, fake_graph.webhook(fake_graph.wa_envelope(value)))

    sent.refresh_from_db()
    assert sent.state == ChannelDeliveryState.FAILED
    assert "131047" in sent.reason


def test_a_bad_whatsapp_signature_is_403_and_quarantined(client: Client) -> None:
    account = whatsapp_account()
    payload = fake_graph.wa_payload(fake_graph.wa_text("Hola"))

    answer = post(client, account, fake_graph.webhook(payload, secret="not-the-app-secret"))

    assert answer.status_code == 403
    stored = only_payload()
    assert stored.state == ChannelPayloadState.QUARANTINED
    assert "signature" in stored.reason.lower()
    assert not Ticket.objects.exists()


def test_meta_verifies_the_webhook_url_with_a_get(client: Client) -> None:
    account = whatsapp_account()
    query = {"hub.mode": "subscribe", "hub.verify_token": fake_graph.VERIFY_TOKEN}

    answer = client.get(url(account), {**query, "hub.challenge": "1158201444"})
    wrong = client.get(
        url(account), {**query, "hub.verify_token": "guess", "hub.challenge": "1158201444"}
    )

    assert answer.status_code == 200 and answer.content == b"1158201444"
    assert wrong.status_code == 403
    assert client.get(url(telegram_account()), query).status_code == 404
    assert not ChannelPayload.objects.exists()


# --- Twilio SMS: the signature covers the absolute URL the view rebuilds ------------------------


def test_a_twilio_sms_is_signed_over_the_webhook_url(client: Client) -> None:
    account = services.create_account(
        SYSTEM,
        provider="twilio_sms",
        name="SMS",
        settings={"account_sid": fake_twilio.ACCOUNT_SID, "from_number": fake_twilio.OUR_NUMBER},
        secrets={"auth_token": fake_twilio.AUTH_TOKEN},
    )
    incoming = fake_twilio.webhook(
        fake_twilio.inbound_sms("Hola, necesito ayuda con mi factura"),
        url=f"http://testserver{url(account)}",
    )

    answer = post(client, account, incoming)

    assert answer.status_code == 200 and b"<Response>" in answer.content
    ticket = Ticket.objects.get()
    assert ticket.channel == "sms" and ticket.requester.identities.get().value == "+5215512345678"


# --- calls and alerts: stored, left for the sessions that build them --------------------------


def test_an_alert_is_stored_with_its_token_redacted_and_opens_a_ticket(client: Client) -> None:
    account = services.create_account(
        SYSTEM, provider="generic_alert", name="Monitor", secrets={"token": "t0ken"}
    )
    body = b'{"key": "disk-full/db1", "status": "firing", "title": "Disk full on db1"}'
    incoming = Incoming(
        method="POST",
        url="",
        headers={"content-type": "application/json", "authorization": "Bearer t0ken"},
        body=body,
    )

    answer = post(client, account, incoming)

    assert answer.status_code == 200
    payload = only_payload()
    assert payload.headers["authorization"] == "[redacted]"
    assert payload.state == ChannelPayloadState.PROCESSED
    assert payload.reason == "1 alert opened a ticket."  # more in test_alert_tickets.py
    assert Ticket.objects.get().subject == "Disk full on db1"


# --- accounts ----------------------------------------------------------------------------------


def test_secrets_are_encrypted_at_rest_and_decrypted_for_the_adapter() -> None:
    account = telegram_account(settings={})  # the default API address

    stored = ChannelAccount.objects.get(pk=account.pk)
    assert fake_telegram.SECRET not in stored.secrets and fake_telegram.TOKEN not in stored.secrets
    config = registry.config_for(stored)
    assert config.secrets == {
        "bot_token": fake_telegram.TOKEN,
        "webhook_secret": fake_telegram.SECRET,
    }
    assert config.api_base == "https://api.telegram.org"


def test_settings_api_base_points_the_adapter_elsewhere() -> None:
    account = services.create_account(
        SYSTEM, provider="whatsapp", name="Test", settings={"api_base": "http://127.0.0.1:9"}
    )

    assert registry.config_for(account).api_base == "http://127.0.0.1:9"


def test_every_key_is_random_and_distinct() -> None:
    first, second = telegram_account(), telegram_account()

    assert first.webhook_key != second.webhook_key and len(first.webhook_key) >= 40


def test_only_admins_manage_accounts() -> None:
    agent = make_agent()

    with pytest.raises(Forbidden):
        services.create_account(web(agent), provider="telegram", name="Mine")


def test_bad_account_fields_are_named() -> None:
    with pytest.raises(Invalid) as caught:
        services.create_account(
            SYSTEM,
            provider="pigeon",
            name=" ",
            group_id=999_999,
            settings={"page_id": ["not", "text"]},
        )

    fields = {error.field for error in caught.value.errors}
    assert fields == {"provider", "name", "group_id", "settings.page_id"}


def test_updating_secrets_merges_and_removes() -> None:
    account = telegram_account()

    services.update_account(
        SYSTEM,
        account_id=account.pk,
        changes={"secrets": {"bot_token": "new", "webhook_secret": ""}},
    )

    assert registry.config_for(ChannelAccount.objects.get(pk=account.pk)).secrets == {
        "bot_token": "new"
    }


def test_unknown_fields_of_an_update_are_refused() -> None:
    account = telegram_account()

    with pytest.raises(Invalid) as caught:
        services.update_account(SYSTEM, account_id=account.pk, changes={"webhook_key": "mine"})

    assert caught.value.errors[0].field == "webhook_key"


def test_every_provider_has_an_adapter() -> None:
    registry.check_complete()


# --- commits for real, and the sweep -----------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_real_commits_the_refused_payload_stays_and_a_good_one_is_written(
    client: Client,
) -> None:
    account = telegram_account()
    refused = fake_telegram.update(
        fake_telegram.message_update(fake_telegram.private_message(1, text="x")), secret="bad"
    )

    assert post(client, account, refused).status_code == 403
    assert post(client, account, telegram_text("Real commits", 2)).status_code == 200

    states = list(ChannelPayload.objects.order_by("pk").values_list("state", flat=True))
    assert states == [ChannelPayloadState.QUARANTINED, ChannelPayloadState.PROCESSED]
    assert Ticket.objects.get().subject == "Real commits"


def test_the_sweep_processes_payloads_a_lost_task_left(client: Client, settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    account = telegram_account()
    post(client, account, telegram_text("Waiting in the queue"))
    services.take_in_spool()  # the sweep would too; the row is back-dated first
    payload = only_payload()
    assert payload.state == ChannelPayloadState.RECEIVED
    ChannelPayload.objects.update(received_at=timezone.now() - timedelta(minutes=2))

    assert sweep_channel_payloads.call() == 1

    assert only_payload().state == ChannelPayloadState.PROCESSED
    assert Ticket.objects.get().subject == "Waiting in the queue"


def test_a_payload_whose_signature_was_never_checked_is_not_processed(client: Client) -> None:
    account = telegram_account()
    post(client, account, telegram_text("Checked"))
    payload = only_payload()
    ChannelPayload.objects.update(state=ChannelPayloadState.RECEIVED, verified_at=None)
    Message.objects.all().delete()
    ChannelMessage.objects.all().delete()

    processed = services.process(payload.pk)

    assert processed.state == ChannelPayloadState.QUARANTINED
    assert "never checked" in processed.reason
    assert not ChannelMessage.objects.exists()


def test_a_signature_check_that_crashes_refuses_the_request(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = telegram_account()

    def broken(*_args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(registry.reader("telegram"), "verify", broken)

    assert post(client, account, telegram_text("Hi")).status_code == 403
    assert only_payload().state == ChannelPayloadState.QUARANTINED
    assert "RuntimeError: boom" in only_payload().reason


@pytest.mark.parametrize("newer_in_closed", [0, 5, 25])
def test_a_conversation_continues_its_newest_open_ticket_however_long_its_history(
    newer_in_closed: int,
) -> None:
    """The newest messages are looked at first (``open_conversation``); when they are all in
    closed tickets, the whole history still finds an older ticket that is open."""
    from atiende.messaging.channels.services.conversations import (
        RECENT_MESSAGES,
        open_conversation,
    )

    account = telegram_account()
    address = "555001"

    def link(ticket: Ticket, provider_id: str) -> None:
        ChannelMessage.objects.create(
            account=account,
            direction=ChannelDirection.INBOUND,
            provider_id=provider_id,
            address=address,
            state=ChannelDeliveryState.DELIVERED,
            message=Message.objects.filter(ticket=ticket).first(),
        )

    still_open = make_ticket_on(account, "An old question still open")
    link(still_open, "old")
    closed = make_ticket_on(account, "A newer one, closed")
    change_status(SYSTEM, ticket_id=closed.pk, version=closed.version, status="closed")
    for n in range(newer_in_closed):
        link(closed, f"newer-{n}")
    assert newer_in_closed < RECENT_MESSAGES or newer_in_closed > RECENT_MESSAGES

    assert open_conversation(account, address) == still_open.pk

    still_open.refresh_from_db()
    change_status(SYSTEM, ticket_id=still_open.pk, version=still_open.version, status="closed")
    assert open_conversation(account, address) is None


def make_ticket_on(account: ChannelAccount, subject: str) -> Ticket:
    from atiende.tickets.services import open_ticket

    return open_ticket(
        SYSTEM,
        subject=subject,
        body=subject,
        requester=make_customer(),
        channel="telegram",
        group_id=account.group_id,
    )

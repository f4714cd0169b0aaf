"""Intake at speed: a webhook stored with its verdict in one commit, a task asked for only when
none is waiting, and payloads processed many to a transaction (``services.process_batch``),
each in its own savepoint."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult

from atiende.accounts.models import User
from atiende.messaging.channels import services, spool
from atiende.messaging.channels.contract import Incoming
from atiende.messaging.models import ChannelMessage, ChannelPayload, ChannelPayloadState
from atiende.tickets.models import Message, Ticket
from tests.messaging.channels import fake_telegram
from tests.messaging.channels.test_intake import post, telegram_account

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def _queue_in_the_database(settings: Any) -> None:
    """As deployed: the tasks wait in the database until a worker runs them."""
    settings.TASKS = DATABASE_QUEUE


def from_chat(chat_id: int, text: str, message_id: int = 1) -> Incoming:
    """A private message from the person behind ``chat_id`` (a distinct sender each)."""
    person = {"id": chat_id, "is_bot": False, "first_name": f"Persona {chat_id}"}
    chat = {"id": chat_id, "first_name": person["first_name"], "type": "private"}
    message = fake_telegram.private_message(message_id, text=text, chat=chat, **{"from": person})
    return fake_telegram.update(fake_telegram.message_update(message))


def states() -> list[str]:
    return list(ChannelPayload.objects.order_by("pk").values_list("state", flat=True))


def test_a_signed_webhook_is_stored_verified_with_its_task(client: Client) -> None:
    account = telegram_account()

    assert post(client, account, from_chat(501, "Hola")).status_code == 200

    spooled = spool.directory() is not None  # the embedded database: a file, no row yet
    assert services.take_in_spool() == (1 if spooled else 0)
    payload = ChannelPayload.objects.get()
    assert payload.state == ChannelPayloadState.RECEIVED and payload.verified_at is not None
    assert (payload.spool_key is not None) == spooled
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("process_channel_payload")
    assert task.args_kwargs == {"args": [0 if spooled else payload.pk], "kwargs": {}}


def test_a_refused_webhook_is_stored_quarantined_and_gets_no_task(client: Client) -> None:
    account = telegram_account()
    forged = fake_telegram.update(
        fake_telegram.message_update(fake_telegram.private_message(1, text="x")), secret="bad"
    )

    assert post(client, account, forged).status_code == 403

    payload = ChannelPayload.objects.get()
    assert payload.state == ChannelPayloadState.QUARANTINED
    assert payload.reason.startswith("The signature was refused")
    assert payload.verified_at is None and payload.processed_at is not None
    assert not DBTaskResult.objects.exists()


def test_one_batch_writes_many_payloads_oldest_first(client: Client) -> None:
    account = telegram_account()
    for chat_id in (601, 602, 603):
        post(client, account, from_chat(chat_id, f"Pregunta de {chat_id}"))
    services.take_in_spool()

    done = services.process_batch(limit=2)

    assert [row.pk for row in done] == list(
        ChannelPayload.objects.order_by("pk").values_list("pk", flat=True)[:2]
    )
    assert states() == ["processed", "processed", "received"]
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == [
        "Pregunta de 601",
        "Pregunta de 602",
    ]
    assert len(services.process_batch()) == 1
    assert services.process_batch() == []
    assert Ticket.objects.count() == 3


def test_a_refused_payload_is_quarantined_alone_and_nothing_of_it_is_written(
    client: Client,
) -> None:
    account = telegram_account()
    post(client, account, from_chat(701, "Primero"))
    services.process_batch()
    User.objects.filter(identities__value="701").update(is_active=False)
    post(client, account, from_chat(702, "Antes"))
    post(client, account, from_chat(701, "Suspendido", message_id=2))
    post(client, account, from_chat(703, "Después"))
    post(client, account, Incoming("POST", "", fake_telegram.update(b"{nope").headers, b"{nope"))

    done = services.process_batch()

    assert len(done) == 4
    assert states() == ["processed", "processed", "quarantined", "processed", "quarantined"]
    held = ChannelPayload.objects.order_by("pk")[2]
    assert "suspended" in held.reason and held.attempts == 1
    assert "not what the provider sends" in ChannelPayload.objects.order_by("pk")[4].reason
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == [
        "Antes",
        "Después",
        "Primero",
    ]
    assert Message.objects.count() == 3 and ChannelMessage.objects.count() == 3


def test_a_payload_whose_signature_was_never_checked_is_quarantined_by_the_batch(
    client: Client,
) -> None:
    account = telegram_account()
    post(client, account, from_chat(801, "Sin verificar"))
    services.take_in_spool()
    ChannelPayload.objects.update(verified_at=None)

    services.process_batch()

    assert "never checked" in ChannelPayload.objects.get().reason
    assert not Ticket.objects.exists()


def test_a_task_whose_payload_an_earlier_batch_took_ends_at_once(client: Client) -> None:
    from atiende.messaging.channels.tasks import process_channel_payload

    account = telegram_account()
    post(client, account, from_chat(901, "Uno"))
    post(client, account, from_chat(902, "Dos"))
    services.take_in_spool()
    first, second = ChannelPayload.objects.order_by("pk")

    assert process_channel_payload.call(first.pk) == "2"
    assert process_channel_payload.call(second.pk) == "0"
    assert states() == ["processed", "processed"]


# --- commits for real: the worker as deployed ---------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_processes_a_burst_in_one_batch(client: Client) -> None:
    account = telegram_account()
    for chat_id in range(1001, 1006):
        assert post(client, account, from_chat(chat_id, f"Ráfaga {chat_id}")).status_code == 200
    assert DBTaskResult.objects.count() == 1  # the burst's later webhooks found it waiting

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    assert states() == ["processed"] * 5
    assert Ticket.objects.count() == 5 and ChannelMessage.objects.count() == 5
    results = list(
        DBTaskResult.objects.order_by("enqueued_at").values_list("status", "return_value")
    )
    assert results == [("SUCCESSFUL", "5")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_payload_stored_after_the_task_was_claimed_gets_a_task_of_its_own(
    client: Client,
) -> None:
    account = telegram_account()
    post(client, account, from_chat(1101, "Primero"))
    DBTaskResult.objects.update(status="RUNNING")  # a worker has claimed it: it may have looked

    post(client, account, from_chat(1102, "Segundo"))

    assert DBTaskResult.objects.filter(status="READY").count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert states() == ["processed", "processed"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_big_burst_is_processed_in_several_batches_by_one_task(client: Client) -> None:
    account = telegram_account()
    size = services.batch_size()
    for n in range(size + 3):
        post(client, account, from_chat(2000 + n, f"Mensaje {n}"))

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    assert states() == ["processed"] * (size + 3)
    assert Ticket.objects.count() == size + 3

"""The embedded database's webhook spool (``channels.spool``): a signed request is a complete
file before its 200, taken in as one row however often the taking in is interrupted, in the
order the requests came; nothing refused, half-written or orphaned gets in."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from atiende.messaging.channels import services, spool
from atiende.messaging.models import ChannelAccount, ChannelPayload, ChannelPayloadState
from tests.factories import make_admin, web
from tests.messaging.channels import fake_telegram
from tests.messaging.channels.test_intake import post, telegram_account, telegram_text
from tests.messaging.channels.test_intake_batches import DATABASE_QUEUE, from_chat

pytestmark = pytest.mark.django_db


@pytest.fixture
def into(settings: Any, tmp_path: Path) -> Path:
    """The spool on, whatever the database (the embedded one has it on by default), and the
    queue in the database, not run: what is spooled stays there until taken in."""
    settings.ATIENDE_CHANNEL_SPOOL = tmp_path / "spool"
    settings.TASKS = DATABASE_QUEUE
    return Path(settings.ATIENDE_CHANNEL_SPOOL)


def spooled(into: Path) -> list[Path]:
    return sorted((into / "new").glob("*" + spool.SUFFIX))


def test_a_signed_request_is_a_whole_file_before_any_row(client: Client, into: Path) -> None:
    account = telegram_account()
    sent = telegram_text("¿Dónde está mi pedido?")

    assert post(client, account, sent).status_code == 200

    assert not ChannelPayload.objects.exists()
    (file,) = spooled(into)
    assert sent.body in file.read_bytes()
    assert not list((into / "tmp").iterdir())  # written there, renamed into place

    assert services.take_in_spool() == 1
    row = ChannelPayload.objects.get()
    assert row.state == ChannelPayloadState.RECEIVED and row.verified_at is not None
    assert bytes(row.body) == sent.body and row.account_id == account.pk
    assert row.headers["x-telegram-bot-api-secret-token"] == "[redacted]"
    assert row.spool_key == file.name.removesuffix(spool.SUFFIX)
    assert spooled(into) == []


def test_taken_in_again_after_a_crash_it_is_still_one_row(client: Client, into: Path) -> None:
    account = telegram_account()
    post(client, account, telegram_text("Una vez"))
    (file,) = spooled(into)
    kept = file.read_bytes()
    services.take_in_spool()
    file.write_bytes(kept)  # the commit happened, the removal did not

    assert services.take_in_spool() == 1

    assert ChannelPayload.objects.count() == 1
    assert spooled(into) == []


def test_requests_are_taken_in_in_the_order_they_came(client: Client, into: Path) -> None:
    account = telegram_account()
    texts = [f"Mensaje {n}" for n in range(1, 31)]  # more than one batch of the embedded db
    for n, text in enumerate(texts, start=1):
        post(client, account, from_chat(5000 + n, text))

    assert services.take_in_spool() == 30

    bodies = [
        bytes(b) for b in ChannelPayload.objects.order_by("pk").values_list("body", flat=True)
    ]
    assert [next(t for t in texts if f'"{t}"'.encode() in body) for body in bodies] == texts


def test_a_refused_request_is_a_quarantined_row_at_once(client: Client, into: Path) -> None:
    account = telegram_account()
    forged = fake_telegram.update(
        fake_telegram.message_update(fake_telegram.private_message(1, text="x")), secret="bad"
    )

    assert post(client, account, forged).status_code == 403

    assert ChannelPayload.objects.get().state == ChannelPayloadState.QUARANTINED
    assert spooled(into) == []


def test_a_half_written_file_is_never_taken_in(client: Client, into: Path) -> None:
    account = telegram_account()
    post(client, account, telegram_text("Completo"))
    (into / "tmp" / "17650000000000000-cut").write_bytes(b'{"account": ')  # a crash mid-write

    assert services.take_in_spool() == 1
    assert ChannelPayload.objects.count() == 1


def test_the_requests_of_an_account_deleted_meanwhile_are_dropped(
    client: Client, into: Path
) -> None:
    kept, gone = telegram_account(), telegram_account()
    post(client, kept, telegram_text("Sigo aquí"))
    post(client, gone, telegram_text("Me voy"))
    ChannelAccount.objects.filter(pk=gone.pk).delete()  # as the store would, bypassing checks

    assert services.take_in_spool() == 2

    assert list(ChannelPayload.objects.values_list("account_id", flat=True)) == [kept.pk]
    assert spooled(into) == []


def test_deleting_an_account_counts_its_spooled_requests(into: Path) -> None:
    from atiende.core.errors import Conflict

    account = telegram_account()
    post(Client(), account, telegram_text("Historia"))

    with pytest.raises(Conflict):
        services.delete_account(web(make_admin()), account_id=account.pk)
    assert ChannelPayload.objects.filter(account=account).count() == 1


def test_a_spool_that_cannot_be_written_is_a_500_and_nothing_is_half_stored(
    settings: Any, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    settings.ATIENDE_CHANNEL_SPOOL = blocker / "spool"
    settings.TASKS = DATABASE_QUEUE
    account = telegram_account()

    answer = post(Client(raise_request_exception=False), account, telegram_text("¿Llega?"))

    assert answer.status_code == 500  # the provider sends it again
    assert not ChannelPayload.objects.exists()


def test_the_sweep_takes_in_what_a_lost_task_left(client: Client, into: Path) -> None:
    from atiende.messaging.channels.tasks import sweep_channel_payloads

    account = telegram_account()
    post(client, account, telegram_text("Olvidado"))

    sweep_channel_payloads.call()

    assert ChannelPayload.objects.get().state == ChannelPayloadState.RECEIVED  # swept later
    assert spooled(into) == []


def test_the_directories_are_made_on_the_first_request(client: Client, into: Path) -> None:
    shutil.rmtree(into, ignore_errors=True)

    assert post(client, telegram_account(), telegram_text("Primero")).status_code == 200
    assert len(spooled(into)) == 1
    assert into.stat().st_mode & 0o777 == 0o700  # customers' messages: the user's only
    assert spooled(into)[0].stat().st_mode & 0o777 == 0o600

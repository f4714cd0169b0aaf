"""The built-in SMTP receiver on loopback, talked to with smtplib like any sending server."""

from __future__ import annotations

import asyncio
import smtplib
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from atiende.messaging.models import (
    MAX_STORED_BYTES,
    InboundMessage,
    InboundMethod,
    InboundState,
    Mailbox,
)
from atiende.messaging.transports import smtpd
from tests.messaging.mail import build
from tests.messaging.servers import TestCertificates, free_port, inbound_writes_refused

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)  # own thread


class Receiver:
    """`smtpd.serve` in a thread with its own event loop, as `mail_smtpd` runs it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.ready = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stop_event: asyncio.Event | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.certs: TestCertificates | None = None

    def _run(self) -> None:
        async def main() -> None:
            self.loop = asyncio.get_running_loop()
            self.stop_event = asyncio.Event()
            await smtpd.serve("127.0.0.1", self.port, ready=self.ready.set, stop=self.stop_event)

        asyncio.run(main())

    def start(self) -> Receiver:
        self.thread.start()
        assert self.ready.wait(10), "the receiver did not start"
        return self

    def stop(self) -> None:
        assert self.loop is not None and self.stop_event is not None
        self.loop.call_soon_threadsafe(self.stop_event.set)
        self.thread.join(10)

    def client(self) -> smtplib.SMTP:
        return smtplib.SMTP("127.0.0.1", self.port, timeout=10)


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[Receiver]:
    certs = TestCertificates.create(tmp_path / "tls")
    monkeypatch.setenv("ATIENDE_SMTPD_TLS_CERT", str(certs.cert_file))
    monkeypatch.setenv("ATIENDE_SMTPD_TLS_KEY", str(certs.key_file))
    running = Receiver().start()
    running.certs = certs
    try:
        yield running
    finally:
        running.stop()


def smtp_mailbox(address: str = "support@helpdesk.test", **fields: Any) -> Mailbox:
    return Mailbox.objects.create(address=address, inbound_method=InboundMethod.SMTP, **fields)


def test_a_message_is_committed_before_the_250(receiver: Receiver) -> None:
    mailbox = smtp_mailbox()
    raw = build(to="support@helpdesk.test", subject="Hello").replace(b"\n", b"\r\n")
    with receiver.client() as client:
        refused = client.sendmail("ana@customer.test", ["Support@Helpdesk.test"], raw)
        # The 250 has arrived: the row must already be visible to anyone else.
        row = InboundMessage.objects.get()
    assert refused == {}
    assert row.mailbox == mailbox and row.source == "smtp" and row.state == InboundState.RECEIVED
    assert bytes(row.raw) == raw  # byte for byte
    assert row.recipient == "Support@Helpdesk.test"
    queued = DBTaskResult.objects.filter(task_path__endswith="process_inbound")
    assert [r.args_kwargs["args"] for r in queued] == [[row.pk]]


def test_the_same_delivery_twice_is_stored_once(receiver: Receiver) -> None:
    smtp_mailbox()
    raw = build(to="support@helpdesk.test")
    for _ in range(2):  # a sender that lost our 250 sends again
        with receiver.client() as client:
            client.sendmail("ana@customer.test", ["support@helpdesk.test"], raw)
    assert InboundMessage.objects.count() == 1


def test_one_row_per_recipient_mailbox(receiver: Receiver) -> None:
    sales = smtp_mailbox("sales@helpdesk.test")
    support = smtp_mailbox()
    raw = build(to="support@helpdesk.test, sales@helpdesk.test")
    with receiver.client() as client:
        refused = client.sendmail(
            "ana@customer.test",
            ["support@helpdesk.test", "sales@helpdesk.test", "nobody@helpdesk.test"],
            raw,
        )
    assert list(refused) == ["nobody@helpdesk.test"]
    assert refused["nobody@helpdesk.test"][0] == 550
    assert {r.mailbox_id for r in InboundMessage.objects.all()} == {sales.pk, support.pk}


@pytest.mark.parametrize("method", [None, InboundMethod.IMAP, "inactive"])
def test_unknown_or_non_smtp_recipients_get_550(receiver: Receiver, method: str | None) -> None:
    if method == InboundMethod.IMAP:
        Mailbox.objects.create(address="support@helpdesk.test", inbound_method=InboundMethod.IMAP)
    elif method == "inactive":
        smtp_mailbox(active=False)
    with receiver.client() as client, pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        client.sendmail("ana@customer.test", ["support@helpdesk.test"], build())
    code, text = refused.value.recipients["support@helpdesk.test"]
    assert code == 550
    assert b"no such mailbox" in text
    assert not InboundMessage.objects.exists()


def test_over_the_mailbox_limit_is_refused_with_552(receiver: Receiver) -> None:
    smtp_mailbox(max_message_bytes=2000)
    with receiver.client() as client:
        client.ehlo()
        assert client.has_extn("size")
        with pytest.raises(smtplib.SMTPDataError) as too_big:
            client.sendmail("ana@customer.test", ["support@helpdesk.test"], build(body="x" * 5000))
        assert too_big.value.smtp_code == 552
        # The connection goes on: the next, smaller message is taken.
        client.sendmail("ana@customer.test", ["support@helpdesk.test"], build(body="small"))
    assert InboundMessage.objects.count() == 1


def test_a_sender_announcing_too_much_is_refused_at_mail_from(receiver: Receiver) -> None:
    smtp_mailbox()
    with receiver.client() as client:
        client.ehlo()
        code, _text = client.mail("ana@customer.test", [f"SIZE={MAX_STORED_BYTES + 1}"])
    assert code == 552


def test_when_the_database_refuses_the_sender_hears_451_and_retries_later(
    receiver: Receiver,
) -> None:
    smtp_mailbox()
    raw = build(to="support@helpdesk.test")
    with inbound_writes_refused(), receiver.client() as client:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            client.sendmail("ana@customer.test", ["support@helpdesk.test"], raw)
        assert refused.value.smtp_code == 451
    assert not InboundMessage.objects.exists()
    with receiver.client() as client:  # the sending server's retry
        client.sendmail("ana@customer.test", ["support@helpdesk.test"], raw)
    assert InboundMessage.objects.count() == 1


def test_starttls_is_offered_with_a_certificate(receiver: Receiver) -> None:
    smtp_mailbox()
    assert receiver.certs is not None
    with receiver.client() as client:
        client.starttls(context=receiver.certs.client_context())
        client.sendmail("ana@customer.test", ["support@helpdesk.test"], build())
    assert InboundMessage.objects.count() == 1


def test_a_second_transaction_gets_the_full_size_again(receiver: Receiver) -> None:
    smtp_mailbox(max_message_bytes=2000)
    smtp_mailbox("big@helpdesk.test")
    with receiver.client() as client:
        client.sendmail("ana@customer.test", ["support@helpdesk.test"], build(body="small"))
        client.sendmail("ana@customer.test", ["big@helpdesk.test"], build(body="x" * 5000))
    assert InboundMessage.objects.count() == 2


def test_address_parsing() -> None:
    assert smtpd.parse_address("127.0.0.1:2525") == ("127.0.0.1", 2525)
    assert smtpd.parse_address("[::1]:25") == ("::1", 25)
    for bad in ("2525", "host:", ":25", "host:port"):
        with pytest.raises(ValueError, match=bad):
            smtpd.parse_address(bad)


def test_the_command_on_a_busy_port(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.management import CommandError, call_command

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        address = f"127.0.0.1:{busy.getsockname()[1]}"
        call_command("mail_smtpd", "--listen", address, "--optional")  # says so, exits 0
        with pytest.raises(CommandError, match="Cannot listen on"):
            call_command("mail_smtpd", "--listen", address)
        monkeypatch.setenv("ATIENDE_SMTPD", "nonsense")
        with pytest.raises(CommandError, match="is not host:port"):
            call_command("mail_smtpd")


@pytest.mark.parametrize(
    ("value", "argv", "may_finish"),
    [
        (None, ["--optional"], True),  # the embedded default: 127.0.0.1:2525 if free
        ("0.0.0.0:25", ["--listen", "0.0.0.0:25"], False),  # asked for: must run
        ("off", None, None),
    ],
)
def test_atiende_run_supervises_the_receiver(
    monkeypatch: pytest.MonkeyPatch, value: str | None, argv: list[str] | None, may_finish: bool
) -> None:
    from atiende.cli import _smtpd_children

    if value is None:
        monkeypatch.delenv("ATIENDE_SMTPD", raising=False)
    else:
        monkeypatch.setenv("ATIENDE_SMTPD", value)
    children = _smtpd_children(["atiende"])
    if argv is None:
        assert children == []
        return
    [child] = children
    assert list(child.argv) == ["atiende", "manage", "mail_smtpd", *argv]
    assert child.may_finish is may_finish

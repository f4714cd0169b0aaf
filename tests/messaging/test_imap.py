"""IMAP polling against a private dovecot on loopback (TLS and STARTTLS)."""

from __future__ import annotations

from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from atiende.messaging.models import AfterFetch, InboundMessage, InboundMethod, Mailbox, Security
from atiende.messaging.transports import imap
from atiende.messaging.transports.tasks import poll_imap_mailboxes, poll_mailbox
from tests.messaging.mail import build
from tests.messaging.servers import ImapAccount, inbound_writes_refused

pytestmark = pytest.mark.django_db

SEEN = "\\Seen"


def imap_mailbox(account: ImapAccount, *, tls: bool = True, **fields: Any) -> Mailbox:
    server = account.server
    password = fields.pop("password", account.password)
    fields.setdefault("address", f"{account.user}@helpdesk.test")
    fields.setdefault("imap_host", "localhost")
    fields.setdefault("imap_security", Security.TLS if tls else Security.STARTTLS)
    mailbox = Mailbox(
        inbound_method=InboundMethod.IMAP,
        imap_port=server.tls_port if tls else server.starttls_port,
        imap_username=account.user,
        **fields,
    )
    mailbox.imap_password = password
    mailbox.save()
    return mailbox


def two_messages(account: ImapAccount) -> list[bytes]:
    raws = [
        build(subject="First", message_id="imap-1@customer.test").replace(b"\n", b"\r\n"),
        build(subject="Second", message_id="imap-2@customer.test").replace(b"\n", b"\r\n"),
    ]
    for raw in raws:
        account.append(raw)
    return raws


@pytest.mark.parametrize("tls", [True, False], ids=["tls", "starttls"])
def test_poll_stores_each_message_then_marks_it_seen(imap_account: ImapAccount, tls: bool) -> None:
    mailbox = imap_mailbox(imap_account, tls=tls)
    raws = two_messages(imap_account)

    result = imap.poll(mailbox)

    assert (result.stored, result.duplicates, result.error) == (2, 0, "")
    rows = InboundMessage.objects.order_by("pk")
    assert [bytes(r.raw) for r in rows] == raws
    assert {r.source for r in rows} == {"imap"} and {r.mailbox_id for r in rows} == {mailbox.pk}
    assert all(SEEN in flags for flags, _raw in imap_account.messages())
    mailbox.refresh_from_db()
    assert mailbox.last_polled_at is not None and mailbox.last_error == ""
    queued = DBTaskResult.objects.filter(task_path__endswith="process_inbound")
    assert sorted(r.args_kwargs["args"][0] for r in queued) == [r.pk for r in rows]

    again = imap.poll(mailbox)  # nothing new: seen messages are not fetched again
    assert (again.stored, again.duplicates) == (0, 0)


def test_delete_after_fetch_empties_the_folder(imap_account: ImapAccount) -> None:
    mailbox = imap_mailbox(imap_account, tls=False, imap_after_fetch=AfterFetch.DELETE)
    two_messages(imap_account)
    assert imap.poll(mailbox).stored == 2
    assert imap_account.messages() == []
    assert InboundMessage.objects.count() == 2


def test_move_after_fetch_files_the_message_away(imap_account: ImapAccount) -> None:
    imap_account.create_folder("Done Atiende")
    mailbox = imap_mailbox(
        imap_account, imap_after_fetch=AfterFetch.MOVE, imap_move_to="Done Atiende"
    )
    raws = two_messages(imap_account)
    assert imap.poll(mailbox).stored == 2
    assert imap_account.messages() == []
    assert [raw for _flags, raw in imap_account.messages("Done Atiende")] == raws


def test_a_message_that_cannot_be_stored_stays_on_the_server_untouched(
    imap_account: ImapAccount,
) -> None:
    mailbox = imap_mailbox(imap_account, imap_after_fetch=AfterFetch.DELETE)
    raws = two_messages(imap_account)
    with inbound_writes_refused():
        result = imap.poll(mailbox)
    assert result.stored == 0 and "it stays on the server" in result.error
    assert [(flags, raw) for flags, raw in imap_account.messages()] == [
        (set(), raws[0]),
        (set(), raws[1]),
    ]
    mailbox.refresh_from_db()
    assert "stays on the server" in mailbox.last_error
    assert not InboundMessage.objects.exists()

    assert imap.poll(mailbox).stored == 2  # the database is back: both arrive, once
    assert imap_account.messages() == []
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""


def test_a_message_fetched_again_after_a_crash_is_a_duplicate(imap_account: ImapAccount) -> None:
    mailbox = imap_mailbox(imap_account)
    two_messages(imap_account)
    imap.poll(mailbox)
    # The process died after storing but before flagging: the server still says unseen.
    client = imap_account.client()
    client.select("INBOX")
    client.uid("STORE", "1:*", "-FLAGS", "(\\Seen)")
    client.logout()
    result = imap.poll(mailbox)
    assert (result.stored, result.duplicates) == (0, 2)
    assert InboundMessage.objects.count() == 2


def test_a_wrong_password_is_recorded_not_raised(imap_account: ImapAccount) -> None:
    mailbox = imap_mailbox(imap_account, password="wrong")
    imap_account.append(build().replace(b"\n", b"\r\n"))
    result = imap.poll(mailbox)
    assert result.error.startswith("The IMAP server refused")
    mailbox.refresh_from_db()
    assert mailbox.last_error == result.error and mailbox.last_polled_at is not None


def test_an_untrusted_certificate_is_refused(imap_account: ImapAccount, settings: Any) -> None:
    settings.ATIENDE_MAIL_CA_FILE = ""
    mailbox = imap_mailbox(imap_account)
    result = imap.poll(mailbox)
    assert "CERTIFICATE_VERIFY_FAILED" in result.error or "certificate" in result.error


def test_no_tls_only_to_this_machine(imap_account: ImapAccount) -> None:
    remote = imap_mailbox(
        imap_account, imap_host="imap.example.com", imap_security=Security.NONE, address="r@x.test"
    )
    assert "only allowed to a server on this machine" in imap.poll(remote).error


def test_the_scheduled_sweep_enqueues_one_poll_per_active_imap_mailbox(
    imap_account: ImapAccount,
) -> None:
    active = imap_mailbox(imap_account)
    imap_mailbox(imap_account, address="off@helpdesk.test", active=False)
    Mailbox.objects.create(address="smtp@helpdesk.test", inbound_method=InboundMethod.SMTP)
    assert poll_imap_mailboxes.call() == 1
    queued = DBTaskResult.objects.filter(task_path__endswith="poll_mailbox")
    assert [r.args_kwargs["args"] for r in queued] == [[active.pk]]

    imap_account.append(build().replace(b"\n", b"\r\n"))
    assert poll_mailbox.call(active.pk)["stored"] == 1
    assert poll_mailbox.call(active.pk) == {"skipped": True}  # polled moments ago

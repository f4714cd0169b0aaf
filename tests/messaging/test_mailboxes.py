"""Mailbox settings service: validation names every bad field; passwords write-only."""

from __future__ import annotations

from typing import Any

import pytest

from atiende.core.errors import Conflict, Forbidden, Invalid
from atiende.messaging import mailboxes
from atiende.messaging.models import Mailbox
from tests.factories import make_admin, make_agent, make_group, web

pytestmark = pytest.mark.django_db

IMAP = {
    "address": "soporte@example.com",
    "inbound_method": "imap",
    "imap_host": "imap.example.com",
    "imap_port": 993,
    "imap_security": "tls",
    "imap_username": "soporte",
    "imap_password": "pw1",
}


def errors_of(caught: pytest.ExceptionInfo[Invalid]) -> dict[str, str]:
    return {e.field: str(e.message) for e in caught.value.errors}


def test_create_imap_mailbox_encrypts_the_password() -> None:
    group = make_group()
    box = mailboxes.create_mailbox(web(make_admin()), group_id=group.pk, **IMAP)
    box.refresh_from_db()
    assert box.imap_password == "pw1"
    assert "pw1" not in box.imap_secret
    assert box.group_id == group.pk
    assert box.imap_folder == "INBOX"


def test_update_keeps_password_when_none_and_clears_with_empty() -> None:
    admin = web(make_admin())
    box = mailboxes.create_mailbox(admin, **IMAP, smtp_host="smtp.example.com", smtp_password="x")
    mailboxes.update_mailbox(
        admin, mailbox_id=box.pk, changes={"display_name": "Soporte", "imap_password": None}
    )
    box.refresh_from_db()
    assert (box.display_name, box.imap_password) == ("Soporte", "pw1")
    mailboxes.update_mailbox(admin, mailbox_id=box.pk, changes={"smtp_password": ""})
    box.refresh_from_db()
    assert box.smtp_password == "" and box.imap_password == "pw1"


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"address": "not an address"}, "address", "valid email"),
        ({"imap_port": 0}, "imap_port", "1 to 65535"),
        ({"imap_port": 70000}, "imap_port", "1 to 65535"),
        ({"smtp_port": 0}, "smtp_port", "1 to 65535"),
        ({"imap_host": ""}, "imap_host", "IMAP server"),
        ({"imap_host": "bad host!"}, "imap_host", "host name"),
        ({"imap_username": ""}, "imap_username", "user name"),
        ({"imap_password": ""}, "imap_password", "password"),
        ({"imap_after_fetch": "move"}, "imap_move_to", "folder"),
        ({"imap_after_fetch": "move", "imap_move_to": "INBOX"}, "imap_move_to", "again"),
        ({"imap_security": "none"}, "imap_security", "localhost"),
        ({"imap_folder": "In\r\nbox"}, "imap_folder", "Line breaks"),
        ({"inbound_method": "pigeon"}, "inbound_method", "imap"),
        ({"max_message_bytes": 10}, "max_message_bytes", "bytes"),
        ({"group_id": 999_999}, "group_id", "Unknown group"),
        ({"smtp_username": "u"}, "smtp_host", "SMTP"),
        ({"smtp_host": "smtp.example.com", "smtp_security": "none"}, "smtp_security", "TLS"),
    ],
)
def test_bad_fields_are_named(fields: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(Invalid) as caught:
        mailboxes.create_mailbox(web(make_admin()), **{**IMAP, **fields})
    found = errors_of(caught)
    assert field in found, found
    assert words in found[field]
    assert not Mailbox.objects.exists()


def test_every_bad_field_at_once() -> None:
    with pytest.raises(Invalid) as caught:
        mailboxes.create_mailbox(
            web(make_admin()), **{**IMAP, "address": "x", "imap_port": 0, "imap_host": ""}
        )
    assert {"address", "imap_port", "imap_host"} <= set(errors_of(caught))


def test_imap_fields_not_needed_for_other_methods_and_loopback_may_skip_tls() -> None:
    box = mailboxes.create_mailbox(
        web(make_admin()),
        address="upload@example.com",
        inbound_method="upload",
        smtp_host="127.0.0.1",
        smtp_port=2525,
        smtp_security="none",
    )
    assert box.pk


def test_duplicate_address_is_a_conflict_on_address() -> None:
    admin = web(make_admin())
    mailboxes.create_mailbox(admin, **IMAP)
    with pytest.raises(Conflict) as caught:
        mailboxes.create_mailbox(admin, **{**IMAP, "address": "SOPORTE@example.com"})
    assert caught.value.errors[0].field == "address"


def test_unknown_field_refused() -> None:
    with pytest.raises(Invalid) as caught:
        mailboxes.create_mailbox(web(make_admin()), **IMAP, imap_secret="x")
    assert "imap_secret" in errors_of(caught)


def test_update_validates_the_result_and_changing_method_needs_imap_fields() -> None:
    admin = web(make_admin())
    box = mailboxes.create_mailbox(admin, address="a@example.com", inbound_method="upload")
    with pytest.raises(Invalid) as caught:
        mailboxes.update_mailbox(admin, mailbox_id=box.pk, changes={"inbound_method": "imap"})
    assert {"imap_host", "imap_username", "imap_password"} <= set(errors_of(caught))


def test_deactivate_and_admin_only() -> None:
    admin = web(make_admin())
    box = mailboxes.create_mailbox(admin, **IMAP)
    with pytest.raises(Forbidden):
        mailboxes.deactivate_mailbox(web(make_agent()), mailbox_id=box.pk)
    with pytest.raises(Forbidden):
        mailboxes.create_mailbox(web(make_agent()), **{**IMAP, "address": "b@example.com"})
    assert not mailboxes.deactivate_mailbox(admin, mailbox_id=box.pk).active

"""An importer creates a batch's new customers ahead of it (`pipeline.create_people`): exactly
the people processing the batch creates, never one for mail that is refused."""

from __future__ import annotations

import pytest

from atiende.accounts.models import User
from atiende.messaging.inbound.pipeline import create_people, parse
from atiende.messaging.models import InboundSource
from tests.factories import make_customer
from tests.messaging.mail import SUPPORT, build, deliver, make_mailbox

pytestmark = pytest.mark.django_db

BOUNCE = (
    b"From: MAILER-DAEMON@mx.postfix.test (Mail Delivery System)\r\n"
    b"To: support@helpdesk.test\r\nSubject: Undelivered Mail Returned to Sender\r\n"
    b"Cc: bounce-cc@customer.test\r\n"
    b"Message-ID: <bounce-first@mx.postfix.test>\r\n"
    b"Content-Type: multipart/report; report-type=delivery-status; boundary=B\r\n\r\n"
    b"--B\r\nContent-Type: text/plain\r\n\r\nUndeliverable.\r\n"
    b"--B\r\nContent-Type: message/delivery-status\r\n\r\n"
    b"Reporting-MTA: dns; mx.postfix.test\r\n\r\nFinal-Recipient: rfc822; x@customer.test\r\n"
    b"Action: failed\r\nStatus: 5.1.1\r\n--B--\r\n"
)


def batch() -> list[bytes]:
    """Mail of every shape an import meets: people new and known, Cc'd colleagues, a list,
    and mail that is refused or ignored — whose Cc must not become customers."""
    return [
        build(sender="Nueva Clienta <nueva@customer.test>", cc=["colega@customer.test"]),
        build(
            sender="Ana <ana@customer.test>",
            cc=["lista@lists.test", "Colega <colega@customer.test>"],
            headers={"List-Id": "Lista <lista.lists.test>"},
        ),
        build(
            sender="Señora Vázquez <VAZQUEZ@Customer.test>", body="Hola, ¿me ayudan con el pedido?"
        ),
        build(sender="not an address <a@@b>", cc=["invalid-cc@customer.test"]),
        build(sender="", cc=["no-sender-cc@customer.test"]).replace(b"From: \r\n", b""),
        build(sender=f"Us <{SUPPORT}>", cc=["ours-cc@customer.test"]),
        build(sender="gone@customer.test", cc=["suspended-cc@customer.test"]),
        BOUNCE,
        b"From: ana@customer.test, evil@attacker.test\r\nCc: hostile-cc@customer.test\r\n"
        b"Subject: hi\r\nMessage-ID: <hostile@x.test>\r\n\r\nHello",
    ]


def people() -> set[str]:
    return set(User.objects.values_list("email", flat=True))


NEW_PEOPLE = {"nueva@customer.test", "colega@customer.test", "vazquez@customer.test"}


@pytest.mark.parametrize("ahead", [False, True], ids=["processing", "ahead"])
def test_the_people_created_ahead_are_those_processing_creates(ahead: bool) -> None:
    """Both ways create the same people: the senders and Cc of mail that is written, nobody
    for mail refused (invalid, hostile, suspended, a bounce, our own) and no mailing list."""
    mailbox = make_mailbox()
    make_customer(email="ana@customer.test")
    gone = make_customer(email="gone@customer.test")
    gone.is_active = False
    gone.save()
    before = people()

    if ahead:
        create_people(mailbox, InboundSource.IMPORT, [parse(raw) for raw in batch()])
    else:
        for raw in batch():
            deliver(raw, mailbox)

    assert people() - before == NEW_PEOPLE
    spanish = User.objects.get(email="vazquez@customer.test")
    assert spanish.locale == "es" and spanish.name == "Señora Vázquez"


def test_known_people_cost_no_creation_and_one_read(django_assert_max_num_queries: object) -> None:
    mailbox = make_mailbox()
    for address in ("ana@customer.test", "colega@customer.test"):
        make_customer(email=address)
    parsed = [parse(build(sender="ana@customer.test", cc=["colega@customer.test"]))] * 50
    with django_assert_max_num_queries(3):  # type: ignore[operator]
        create_people(mailbox, InboundSource.IMPORT, parsed)

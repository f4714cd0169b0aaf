"""Mail as clients really label it: wrong or missing charsets, RFC 2047 words split inside a
character, encoded subjects in the quarantine, and "RE: RV: Fwd:" chains on new tickets."""

from __future__ import annotations

import pytest

from atiende.messaging.email.mime import decode_text
from atiende.messaging.inbound.store import store_raw
from tests.messaging.mail import deliver, make_mailbox

pytestmark = pytest.mark.django_db

SPANISH = "Buenos días, la facturación de diciembre está mal: el importe del envío es 12 €."


def raw_mail(body: bytes, content_type: str, *, sender: bytes = b"Ana <ana@cliente.es>") -> bytes:
    return (
        b"From: " + sender + b"\r\nTo: support@helpdesk.test\r\nSubject: Factura\r\n"
        b"Message-ID: <cs-" + str(abs(hash(body))).encode() + b"@cliente.es>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: " + content_type.encode() + b"\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body + b"\r\n"
    )


@pytest.mark.parametrize(
    ("encoding", "label"),
    [
        ("utf-8", "text/plain; charset=iso-8859-1"),  # UTF-8 sent as Latin-1: "Ã­"
        ("cp1252", "text/plain; charset=utf-8"),  # Windows-1252 sent as UTF-8
        ("cp1252", "text/plain"),  # no label at all
        ("cp1252", "text/plain; charset=x-unknown-charset"),
    ],
)
def test_a_mislabelled_body_reads_as_written(encoding: str, label: str) -> None:
    row = deliver(raw_mail(SPANISH.encode(encoding), label), make_mailbox())

    assert row.ticket_message is not None
    assert row.ticket_message.body_text == SPANISH


def test_right_labels_are_kept() -> None:
    assert decode_text("Привет, как дела?".encode("koi8_r"), "koi8-r") == "Привет, как дела?"
    assert decode_text(b"caf\xe9", "iso-8859-1") == "café"


def test_a_name_split_inside_a_character_decodes_whole() -> None:
    sender = b"=?UTF-8?Q?Jos=C3?= =?UTF-8?Q?=A9_P=C3=A9rez?= <jose@cliente.es>"
    row = deliver(raw_mail(b"Hola", "text/plain; charset=utf-8", sender=sender), make_mailbox())

    assert row.ticket is not None and row.ticket.requester.name == "José Pérez"


def test_quarantine_subjects_are_decoded() -> None:
    raw = (
        b"From: ana@cliente.es\r\n"
        b"Subject: =?UTF-8?Q?Factura_de_dici?= =?UTF-8?B?ZW1icmUgw7E=?=\r\n\r\n"
    )
    row, _created = store_raw(raw, mailbox=None, source="upload")

    assert row.subject == "Factura de diciembre ñ"


def test_new_tickets_lose_reply_and_forward_prefixes() -> None:
    raw = raw_mail(b"Hola", "text/plain; charset=utf-8").replace(
        b"Subject: Factura", b"Subject: RE: RV: Fwd: RV: TR: AW: Re[2]: La factura"
    )
    row = deliver(raw, make_mailbox())

    assert row.ticket is not None and row.ticket.subject == "La factura"


FILENAMES = {
    "RFC 2047 in the parameter (Outlook, Gmail)": (
        b'filename="=?UTF-8?B?ZmFjdHVyYSBzZcOxb3IucGRm?="',
        "factura señor.pdf",
    ),
    "RFC 2047 in Latin-1, quoted-printable": (
        b'filename="=?iso-8859-1?Q?factura_se=F1or.pdf?="',
        "factura señor.pdf",
    ),
    "RFC 2231 (Apple Mail, Thunderbird)": (
        b"filename*=utf-8''factura%20se%C3%B1or.pdf",
        "factura señor.pdf",
    ),
    "RFC 2231 in continuations": (
        b"filename*0*=utf-8''factura%20se; filename*1*=%C3%B1or.pdf",
        "factura señor.pdf",
    ),
    "raw UTF-8 bytes (phones)": ('filename="factura señor.pdf"'.encode(), "factura señor.pdf"),
    "raw Latin-1 bytes": ('filename="factura señor.pdf"'.encode("latin-1"), "factura señor.pdf"),
    "plain ASCII": (b"filename=factura.pdf", "factura.pdf"),
}


@pytest.mark.parametrize("disposition", FILENAMES.values(), ids=FILENAMES.keys())
def test_attachment_names_as_clients_write_them(disposition: tuple[bytes, str]) -> None:
    from atiende.messaging.email.parse import parse_message

    parameter, expected = disposition
    raw = (
        b"From: Ana <ana@cliente.es>\r\nTo: support@helpdesk.test\r\nSubject: Factura\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=X\r\n\r\n"
        b"--X\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAdjunto la factura.\r\n"
        b"--X\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: attachment; " + parameter + b"\r\n\r\nJVBERi0xLjQK\r\n--X--\r\n"
    )
    assert [a.filename for a in parse_message(raw).attachments] == [expected]

"""Whatever bytes arrive, `process` returns: a message, or a row that says why it is not one."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atiende.messaging.models import InboundMessage, InboundState, Mailbox
from tests.messaging.mail import SUPPORT, deliver

pytestmark = pytest.mark.django_db

HEADER_NAMES = [
    "From", "To", "Cc", "Subject", "Message-ID", "In-Reply-To", "References", "Date",
    "Content-Type", "Content-Transfer-Encoding", "MIME-Version", "Auto-Submitted",
    "Thread-Index", "Reply-To", "Content-Disposition", "X-Atiende",
]  # fmt: skip
VALUES = st.one_of(
    st.binary(max_size=80),
    st.sampled_from(
        [
            b"ana@customer.test",
            b"<x@y>",
            b"=?utf-8?b?w6E=?= <a@b.test>",
            b'multipart/mixed; boundary="b"',
            b"multipart/report; report-type=delivery-status; boundary=b",
            b"text/plain; charset=x-unknown",
            b"text/html; charset=utf-8",
            b"base64",
            b"quoted-printable",
            b'"Group": a@b.test, <<>>;',
            b"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhc=",
        ]
    ),
)
HEADERS = st.lists(st.tuples(st.sampled_from(HEADER_NAMES), VALUES), max_size=10)
BODIES = st.one_of(
    st.binary(max_size=400),
    st.sampled_from([b"--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--", b"\r\n.\r\n", b""]),
)
MAILISH = st.builds(
    lambda headers, body: (
        b"".join(n.encode() + b": " + v + b"\r\n" for n, v in headers) + b"\r\n" + body
    ),
    HEADERS,
    BODIES,
)


def check(raw: bytes) -> None:
    mailbox, _ = Mailbox.objects.get_or_create(
        address=SUPPORT, defaults={"inbound_method": "upload"}
    )
    row = deliver(raw, mailbox)
    assert row.state != InboundState.RECEIVED
    if row.state == InboundState.PROCESSED:
        assert row.ticket_message is not None or row.ticket is not None
    else:
        assert row.reason.strip()
        assert not row.reason.startswith("Processing failed"), row.reason  # a bug, not bad input
    assert bytes(InboundMessage.objects.get(pk=row.pk).raw) == raw


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash_processing(raw: bytes) -> None:
    check(raw)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MAILISH)
def test_arbitrary_mail_shaped_bytes_never_crash_processing(raw: bytes) -> None:
    check(raw)

"""Numbers typed in any script: a character that ``str.isdigit`` accepts but ``int`` refuses
(superscripts, circled digits) is no number, never a 500.

Every parameter read as a number uses ``str.isdecimal`` (exactly what ``int`` accepts);
this checks the shared helpers and a page that reads one straight from the query string.
"""

from __future__ import annotations

import unicodedata

import pytest
from django.test import Client

from atiende.messaging.channels.contract import PayloadError
from atiende.messaging.channels.providers.fields import timestamp
from atiende.web.ticket.views.common import parse_int
from tests.factories import make_admin

pytestmark = pytest.mark.django_db

# Every character that claims to be a digit but that int() cannot read.
FALSE_DIGITS = [c for c in map(chr, range(0x20, 0x3000)) if c.isdigit() and not c.isdecimal()]


def test_there_are_false_digits_to_test() -> None:
    assert "²" in FALSE_DIGITS and "①" in FALSE_DIGITS
    assert all(unicodedata.digit(c, None) is not None for c in FALSE_DIGITS)


@pytest.mark.parametrize("text", ["²", "1²", "①②", "٣"])
def test_the_shared_number_reader_refuses_what_int_cannot_read(text: str) -> None:
    expected = int(text) if text.isdecimal() else None  # Arabic-Indic ٣ is a real 3
    assert parse_int(text) == expected
    assert all(parse_int(c) is None for c in FALSE_DIGITS)


def test_a_channel_time_made_of_false_digits_is_a_payload_error() -> None:
    for c in FALSE_DIGITS:
        with pytest.raises(PayloadError):
            timestamp(c * 3, field="timestamp")


def test_a_report_period_of_false_digits_falls_back_to_the_default(client: Client) -> None:
    client.force_login(make_admin())
    for text in ("²", "3⁰", "①"):
        assert client.get("/kb/report/", {"days": text}).status_code == 200

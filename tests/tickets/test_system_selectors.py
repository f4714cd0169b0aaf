"""The system's named reads (threading, the live log): one statement each, every ticket."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from atiende.tickets.selectors import ticket_for_live_log, ticket_for_threading
from tests.factories import make_group, make_ticket

pytestmark = pytest.mark.django_db


def test_threading_reads_the_ticket_with_its_status_in_one_statement() -> None:
    ticket = make_ticket(group_id=make_group().pk)  # in a group: still found, no scoping
    with CaptureQueriesContext(connection) as queries:
        found = ticket_for_threading(ticket.pk)
        assert found is not None and found.status.key == "new"
    assert len(queries) == 1
    assert (found.pk, found.number, found.group_id) == (ticket.pk, ticket.number, ticket.group_id)


def test_the_live_log_reads_the_ticket_in_one_statement() -> None:
    ticket = make_ticket(subject="Impresora")
    with CaptureQueriesContext(connection) as queries:
        found = ticket_for_live_log(ticket.pk)
    assert len(queries) == 1
    assert found is not None and (found.subject, found.version) == ("Impresora", 1)


def test_a_missing_ticket_is_none() -> None:
    assert ticket_for_threading(10**12) is None
    assert ticket_for_live_log(10**12) is None

"""The SQL the ticket list sends for each kind of scope, held to its exact text.

The visibility rule (``tickets.visibility``) and the SQLite planner hints (``listing``) are
separate pieces; together they must keep producing the statements measured in
``docs/performance.md``. Numbers (ids) are written as ``#`` in the expected text.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from atiende.core.actor import Actor
from atiende.tickets.listing import TicketFilters, list_tickets
from tests.factories import (
    make_admin,
    make_agent,
    make_customer,
    make_group,
    make_org,
    make_ticket,
    web,
)

pytestmark = pytest.mark.django_db

MINE = '"tickets_ticket"."group_id" IN (#) OR "tickets_ticket"."group_id" IS NULL'
HINTED = (
    '+"tickets_ticket"."group_id" IN (#) OR +"tickets_ticket"."group_id" IS NULL'
    ' OR +"tickets_ticket"."assignee_id" = #'
)
LONELY = '"tickets_ticket"."group_id" IS NULL OR "tickets_ticket"."assignee_id" = #'
OWN = '"tickets_ticket"."requester_id" = #'
SHARED = '("tickets_ticket"."requester_id" = # OR "tickets_ticket"."organization_id" = #)'
NEW = '"tickets_ticket"."status_id" IN (#)'
# (who, all tickets, only "new" ones) on SQLite; PostgreSQL gets the same without the hints.
EXPECTED = {
    "agent": (f"({HINTED})", f"(({HINTED}) AND +{NEW})"),
    "lonely": (f"({LONELY})", f"(({LONELY}) AND +{NEW})"),
    "admin": ("", f"+{NEW}"),
    "system": ("", f"+{NEW}"),
    "customer": (OWN, f"({OWN} AND +{NEW})"),
    "colleague": (SHARED, f"({SHARED} AND +{NEW})"),
}


def _where(actor: Actor, filters: TicketFilters) -> str:
    """The WHERE clause of the list's ticket query, numbers written as ``#``."""
    with CaptureQueriesContext(connection) as queries:
        list_tickets(actor, filters, limit=5, related=(), with_tags=False)
    sql = [q["sql"] for q in queries.captured_queries if 'FROM "tickets_ticket"' in q["sql"]][-1]
    where = sql.split(" WHERE ", 1)[1].split(" ORDER BY ", 1)[0] if " WHERE " in sql else ""
    return re.sub(r"\b\d+\b", "#", where)


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_the_list_sends_the_same_statement_for_each_kind_of_scope(who: str) -> None:
    mine, other = make_group(), make_group()
    org = make_org(domains=("acme.test",), shared=True)
    customer = make_customer(email="ana@acme.test")
    colleague = make_customer(email="luis@acme.test")
    colleague.email_verified_at = timezone.now()
    colleague.save()
    assert colleague.organization == org
    for _ in range(8):
        make_ticket(group_id=mine.pk)
    make_ticket(customer, group_id=other.pk)
    for _ in range(40):
        make_ticket(group_id=other.pk)
    users = {
        "agent": make_agent(mine),
        "lonely": make_agent(),
        "admin": make_admin(),
        "system": None,
        "customer": customer,
        "colleague": colleague,
    }
    everything, new = EXPECTED[who]
    if connection.vendor != "sqlite":
        everything, new = everything.replace("+", ""), new.replace("+", "")
    actor = web(users[who])
    assert _where(actor, TicketFilters()) == everything
    assert _where(actor, TicketFilters(status_category=("new",))) == new

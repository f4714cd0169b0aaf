"""Planner hints: a broad filter is read in sort order on SQLite, and the answer is the same."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from atiende.tickets import planning
from atiende.tickets.listing import TicketFilters, list_tickets
from tests.factories import make_agent, make_group, make_ticket, web

pytestmark = pytest.mark.django_db


def _list_sql(agent_actor: object, filters: TicketFilters) -> tuple[list[int], str]:
    with CaptureQueriesContext(connection) as queries:
        page = list_tickets(agent_actor, filters, limit=5)  # type: ignore[arg-type]
    ticket_sql = [q["sql"] for q in queries.captured_queries if 'FROM "tickets_ticket"' in q["sql"]]
    return [t.pk for t in page.items], ticket_sql[-1]


def test_an_agent_seeing_most_tickets_reads_them_newest_first_with_the_same_answer() -> None:
    mine, other = make_group(), make_group()
    agent = make_agent(mine)
    ours = [make_ticket(group_id=mine.pk) for _ in range(8)]
    make_ticket(group_id=other.pk)
    ids, sql = _list_sql(web(agent), TicketFilters())
    assert ids == [t.pk for t in reversed(ours)][:5]
    if connection.vendor == "sqlite":
        assert '+"tickets_ticket"."group_id"' in sql
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan
    else:
        assert "+" not in sql.split("WHERE", 1)[1]


def test_an_agent_seeing_few_tickets_keeps_the_group_index() -> None:
    small, big = make_group(), make_group()
    agent = make_agent(small)
    mine = make_ticket(group_id=small.pk)
    for _ in range(40):
        make_ticket(group_id=big.pk)
    ids, sql = _list_sql(web(agent), TicketFilters())
    assert ids == [mine.pk]
    assert '+"tickets_ticket"."group_id"' not in sql


def test_common_statuses_are_unindexed_on_sqlite_only() -> None:
    for _ in range(3):
        make_ticket()
    assert planning.is_broad(Q(status_id__in=[0])) is False  # no ticket has status 0
    ids, sql = _list_sql(web(None), TicketFilters(status_category=("new",)))
    assert len(ids) == 3
    assert ('+"tickets_ticket"."status_id"' in sql) == (connection.vendor == "sqlite")

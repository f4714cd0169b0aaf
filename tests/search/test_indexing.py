"""Bulk indexing and full rebuilds."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from atiende.search.documents import MAX_PART_CHARS, load_documents
from atiende.search.tickets import index_tickets, rebuild_index
from atiende.tickets import services
from tests.factories import SYSTEM, make_ticket
from tests.search.conftest import MakeIndexed, empty_index, found, indexed_ids

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("match_mode")]


def test_index_tickets_in_batches_without_per_ticket_queries(
    django_assert_max_num_queries: Any,
) -> None:
    tickets = [make_ticket(subject=f"Batch {n}", body="Bulk words") for n in range(30)]
    services.add_message(SYSTEM, ticket_id=tickets[0].pk, body="Only here", public=False)
    empty_index()
    assert indexed_ids() == set()
    ids = [t.pk for t in tickets]
    # Per batch: savepoint, tickets, messages, delete (SQLite), insert, release.
    with django_assert_max_num_queries(6):
        index_tickets(iter(ids))
    assert found("bulk") == set(ids)
    assert found("only") == {tickets[0].pk}


def test_index_tickets_small_batches_duplicates_and_missing_ids() -> None:
    tickets = [make_ticket(subject="Chunked") for _ in range(5)]
    ids = [t.pk for t in tickets]
    index_tickets([*ids, ids[0], 10**12], batch_size=2)
    assert indexed_ids() == set(ids)
    assert found("chunked") == set(ids)


def test_reindexing_replaces_the_document(indexed: MakeIndexed) -> None:
    ticket = indexed("Original words")
    index_tickets([ticket.pk, ticket.pk])
    assert found("original") == {ticket.pk}
    assert indexed_ids() == {ticket.pk}


def test_huge_threads_are_indexed_up_to_a_bound() -> None:
    ticket = make_ticket(subject="Long", body="head " + "lorem ipsum " * 20_000 + " tailword")
    index_tickets([ticket.pk])
    (doc,) = load_documents([ticket.pk], using="default")
    assert len(doc.public_text) == MAX_PART_CHARS
    assert found("head") == {ticket.pk}
    assert found("tailword") == set()


def test_rebuild_indexes_everything_and_drops_orphans(indexed: MakeIndexed) -> None:
    gone = indexed("Deleted later")
    services.delete_ticket(SYSTEM, ticket_id=gone.pk)  # the index does not follow deletes
    kept = [make_ticket(subject="Rebuilt") for _ in range(3)]
    progress: list[int] = []
    assert rebuild_index(batch_size=2, progress=progress.append) == 3
    assert progress == [2, 3]
    assert indexed_ids() == {t.pk for t in kept}


def test_reindex_search_command() -> None:
    ticket = make_ticket(subject="Command line")
    out = StringIO()
    call_command("reindex_search", "--batch-size", "10", "-v", "2", stdout=out)
    assert "Indexed 1 tickets." in out.getvalue()
    assert found("command") == {ticket.pk}
    with pytest.raises(CommandError):
        call_command("reindex_search", "--batch-size", "0")


def test_postgresql_builds_in_sql_the_documents_python_builds() -> None:
    """The in-database reindex stores exactly the vectors of `load_documents` + `write`."""
    from django.db import connection

    from atiende.search.backends import ticket_index

    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL builds the documents in SQL")
    ticket = make_ticket(subject="Impresora sin tóner", body="First public words")
    services.add_message(SYSTEM, ticket_id=ticket.pk, body="An internal note", public=False)
    services.add_message(SYSTEM, ticket_id=ticket.pk, body="Second public reply")
    gone = make_ticket(subject="Deleted")
    ids = [ticket.pk, gone.pk]
    index = ticket_index("postgresql")
    read = "SELECT ticket_id, public_vector::text, all_vector::text FROM search_ticket_index"
    with connection.cursor() as cursor:
        gone_id = gone.pk
        services.delete_ticket(SYSTEM, ticket_id=gone.pk)
        index.write(cursor, ids, load_documents(ids, using="default"))
        cursor.execute(read)
        from_python = sorted(cursor.fetchall())
        empty_index()
        cursor.execute(  # a stale row of the deleted ticket: the reindex drops it
            "INSERT INTO search_ticket_index (ticket_id, public_vector, all_vector)"
            " VALUES (%s, '', '')",
            [gone_id],
        )
        assert index.reindex(cursor, ids)
        cursor.execute(read)
        assert sorted(cursor.fetchall()) == from_python

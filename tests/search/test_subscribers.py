"""The index follows tickets through domain events, inside the transaction that changes them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from atiende.core.event_types import TicketUpdated
from atiende.search.subscribers import index_updated_ticket
from atiende.tickets import services
from tests.factories import SYSTEM, make_ticket
from tests.search.conftest import MakeIndexed, found

pytestmark = pytest.mark.usefixtures("match_mode")


@pytest.mark.django_db
def test_the_index_commits_and_rolls_back_with_the_change() -> None:
    seen_inside: set[int] = set()

    def open_then_fail() -> None:
        with transaction.atomic():
            ticket = make_ticket(subject="Rolled back")
            seen_inside.update(found("rolled"))
            assert seen_inside == {ticket.pk}  # written in the same transaction
            raise RuntimeError

    with pytest.raises(RuntimeError):
        open_then_fail()
    assert seen_inside and found("rolled") == set()
    kept = make_ticket(subject="Rolled forward")
    assert found("rolled") == {kept.pk}


@pytest.mark.django_db
def test_merge_reindexes_source_and_target(
    indexed: MakeIndexed, on_commit: Callable[..., Any]
) -> None:
    source = indexed("Screen flickers", "The display flickers at night.", note="Swap cable")
    target = indexed("Monitor problem", "Second report.")
    with on_commit():
        services.merge_tickets(SYSTEM, source_id=source.pk, target_id=target.pk)
    assert found("display") == {target.pk}
    assert found("cable", include_internal=False) == set()
    assert found("cable") == {target.pk}
    assert found("screen") == {source.pk}  # the source keeps its subject


@pytest.mark.django_db
def test_updates_that_leave_the_document_alone_are_skipped(
    indexed: MakeIndexed, django_assert_num_queries: Any
) -> None:
    ticket = indexed("Quiet")
    event = TicketUpdated(ticket_id=ticket.pk, actor_id=None, source="system", fields=("status",))
    with django_assert_num_queries(0):
        index_updated_ticket(event)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_commit_indexes_the_ticket() -> None:
    ticket = make_ticket(subject="Committed for real", body="Durable words.")
    services.add_message(SYSTEM, ticket_id=ticket.pk, body="Escalated internally.", public=False)
    assert found("durable") == {ticket.pk}
    assert found("escalated", include_internal=False) == set()
    assert found("escalated") == {ticket.pk}

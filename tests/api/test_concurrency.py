"""Real threads against the real database: numbers, optimistic locking, idempotency."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from atiende.accounts import services as accounts
from atiende.tickets.models import Ticket
from tests.factories import SYSTEM, make_admin, make_agent, make_group, make_ticket

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.xdist_group("concurrency"),
]


def run_together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Start ``count`` threads at the same instant; return their results in order."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def worker(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # a failure is a result the test asserts on
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def token_for(user: Any) -> str:
    return accounts.create_api_token(SYSTEM, user=user, name="concurrency")[1]


def post(token: str, path: str, body: dict[str, Any], **headers: str) -> Any:
    return Client().post(
        "/api/v1" + path,
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", **headers},
    )


def test_twenty_simultaneous_creates_get_twenty_distinct_numbers() -> None:
    token = token_for(make_admin())
    body = {"subject": "Rush", "body": "hour", "requester": {"email": "same@example.com"}}
    responses = run_together(20, lambda i: post(token, "/tickets", body))
    assert [getattr(r, "status_code", r) for r in responses] == [201] * 20
    numbers = sorted(r.json()["number"] for r in responses)
    assert len(set(numbers)) == 20
    assert sorted(Ticket.objects.values_list("number", flat=True)) == numbers


def test_two_agents_same_version_exactly_one_wins() -> None:
    group = make_group()
    agents = [make_agent(group), make_agent(group)]
    ticket = make_ticket(group_id=group.pk)
    tokens = [token_for(a) for a in agents]
    priorities = ["urgent", "low"]

    def update(i: int) -> Any:
        return Client().patch(
            f"/api/v1/tickets/{ticket.pk}",
            {"version": 1, "priority": priorities[i]},
            content_type="application/json",
            headers={"Authorization": f"Bearer {tokens[i]}"},
        )

    responses = run_together(2, update)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409], [r.content for r in responses]
    winner = next(r for r in responses if r.status_code == 200).json()
    loser = next(r for r in responses if r.status_code == 409).json()
    assert loser["current"]["priority"]["key"] == winner["priority"]["key"]
    ticket.refresh_from_db()
    assert ticket.version == 2 and ticket.priority.key == winner["priority"]["key"]


def test_twenty_retries_of_one_idempotency_key_make_one_ticket() -> None:
    token = token_for(make_admin())
    body = {"subject": "Once", "body": "only", "requester": {"email": "once@example.com"}}
    responses = run_together(
        20, lambda i: post(token, "/tickets", body, **{"Idempotency-Key": "retry-1"})
    )
    assert [getattr(r, "status_code", r) for r in responses] == [201] * 20
    assert len({r.json()["id"] for r in responses}) == 1
    assert Ticket.objects.count() == 1

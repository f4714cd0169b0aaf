"""Idempotency-Key: a retried POST returns the first answer and creates nothing new."""

from __future__ import annotations

from typing import Any

import pytest

from atiende.api.models import IdempotencyKey
from atiende.tickets.models import Ticket
from tests.api.conftest import fields, problem
from tests.factories import make_admin

pytestmark = pytest.mark.django_db

BODY = {"subject": "Retry me", "body": "once", "requester": {"email": "r@example.com"}}


def test_retry_returns_first_answer(as_user: Any) -> None:
    api = as_user(make_admin())
    first = api.post("/tickets", BODY, **{"Idempotency-Key": "k-1"})
    again = api.post("/tickets", BODY, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


def test_same_key_different_body_is_refused(as_user: Any) -> None:
    api = as_user(make_admin())
    api.post("/tickets", BODY, **{"Idempotency-Key": "k-2"})
    body = problem(
        api.post("/tickets", {**BODY, "subject": "Other"}, **{"Idempotency-Key": "k-2"}), 422
    )
    assert fields(body) == {"Idempotency-Key"}
    assert Ticket.objects.count() == 1


def test_keys_are_per_user(as_user: Any) -> None:
    as_user(make_admin()).post("/tickets", BODY, **{"Idempotency-Key": "shared"})
    as_user(make_admin()).post("/tickets", BODY, **{"Idempotency-Key": "shared"})
    assert Ticket.objects.count() == 2


def test_failed_request_is_not_remembered(as_user: Any) -> None:
    api = as_user(make_admin())
    problem(api.post("/tickets", {**BODY, "priority": "nope"}, **{"Idempotency-Key": "k-3"}), 422)
    assert not IdempotencyKey.objects.exists()
    assert api.post("/tickets", BODY, **{"Idempotency-Key": "k-3"}).status_code == 201


def test_invalid_key(as_user: Any) -> None:
    api = as_user(make_admin())
    problem(api.post("/tickets", BODY, **{"Idempotency-Key": "x" * 256}), 400)
    assert Ticket.objects.count() == 0

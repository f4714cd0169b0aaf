"""Guessing tokens: failed authentications are counted per address, then answered 429.

The windows run on ``api.ratelimit``'s clock, moved by hand here (no sleeping).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from atiende.api import ratelimit
from tests.api.conftest import problem
from tests.factories import make_admin

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


class HandClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0  # the start of a 15-minute window

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(settings: Any) -> Iterator[HandClock]:
    settings.ATIENDE_API_AUTH_FAILURES = 3
    settings.ATIENDE_API_AUTH_FAILURE_WINDOW = 900
    hand = HandClock()
    with ratelimit.use_clock(hand):
        yield hand


def call(token: str, ip: str = "203.0.113.7") -> Any:
    return Client(REMOTE_ADDR=ip).get(
        "/api/v1/tickets", headers={"Authorization": f"Bearer {token}"}
    )


@pytest.mark.parametrize(
    "bad",
    ["atd_guess", "x" * 5000, "atd_' OR 1=1 --", "atd_ñandú"],
    ids=["guess", "huge", "injection", "accents"],
)
def test_an_address_guessing_tokens_is_answered_429_with_retry_after(
    clock: HandClock, as_user: Any, bad: str
) -> None:
    good = as_user(make_admin()).token
    for _ in range(3):
        problem(call(bad), 401)

    refused = call(good)  # even a right token, from the guessing address
    body = problem(refused, 429)
    assert body["type"].endswith("rate_limited")
    assert refused["Retry-After"] == "900"
    assert call(good, ip="198.51.100.1").status_code == 200  # other addresses are not blocked

    clock.now += 900
    assert call(good).status_code == 200


def test_good_tokens_and_anonymous_calls_count_no_failure(clock: HandClock, as_user: Any) -> None:
    good = as_user(make_admin()).token
    for _ in range(5):
        assert call(good).status_code == 200
        problem(Client(REMOTE_ADDR="203.0.113.7").get("/api/v1/tickets"), 401)
    problem(call("atd_wrong"), 401)


def test_the_limit_can_be_turned_off(clock: HandClock, settings: Any, as_user: Any) -> None:
    settings.ATIENDE_API_AUTH_FAILURES = 0
    for _ in range(10):
        problem(call("atd_guess"), 401)

"""Hot endpoints run a bounded number of queries whatever the amount of data."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from atiende.tickets import config_cache, services
from tests.factories import SYSTEM, make_agent, make_group, make_ticket

pytestmark = pytest.mark.django_db


def count_queries(call: Any) -> int:
    """The request's own queries: the per-process configuration snapshot (refreshed after
    ``ATIENDE_CONFIG_SNAPSHOT_SECONDS``, which a loaded machine can pass mid-test) is fresh
    first."""
    config_cache.snapshot()
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200, response.content
    return len(captured)


def test_ticket_list_and_messages_do_not_grow_with_data(as_user: Any) -> None:
    group = make_group()
    api = as_user(make_agent(group))
    first = make_ticket(group_id=group.pk, tags=["a", "b"])
    api.get("/tickets")  # the token's first use records last_used_at once
    small_list = count_queries(lambda: api.get("/tickets"))
    small_messages = count_queries(lambda: api.get(f"/tickets/{first.pk}/messages"))
    for i in range(30):
        make_ticket(group_id=group.pk, tags=[f"t{i}", "b"])
        services.add_message(SYSTEM, ticket_id=first.pk, body=f"reply {i}")
    assert count_queries(lambda: api.get("/tickets")) == small_list
    assert count_queries(lambda: api.get(f"/tickets/{first.pk}/messages")) == small_messages
    assert small_list <= 6

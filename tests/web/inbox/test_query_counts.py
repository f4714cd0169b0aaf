"""Hot pages stay at a fixed number of queries however many tickets there are."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from atiende.accounts.models import User
from atiende.tickets import saved_views
from tests.factories import make_customer, make_ticket, web
from tests.web.inbox.conftest import Team, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def fill(team: Team, n: int) -> None:
    customer = make_customer()
    for i in range(n):
        make_ticket(
            customer,
            group_id=(team.support if i % 2 else team.billing).pk,
            assignee_id=team.admin.pk if i % 3 == 0 else None,
            tags=["a", f"t{i % 4}"],
            priority="urgent" if i % 5 == 0 else None,
        )


def queries(client: Client, url: str, params: dict[str, Any] | None = None) -> int:
    client.get(url, params)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("user", ["admin", "agent"])
def test_inbox_page_is_bounded(team: Team, user: str) -> None:
    viewer: User = getattr(team, user)
    saved_views.create_saved_view(web(viewer), name="Urgent", filters={"priority": ["urgent"]})
    saved_views.create_saved_view(web(viewer), name="Tagged", filters={"tag": ["a"]})
    client = signed_in(viewer)
    columns = list(saved_views.COLUMNS)
    params = {"view": "open", "filtered": "1", "columns": columns, "sort": "-priority"}

    fill(team, 3)
    few = queries(client, reverse("inbox"), params)
    fill(team, 30)
    many = queries(client, reverse("inbox"), params)

    assert few == many
    assert many <= 20


def test_counts_fragment_is_bounded(team: Team, django_assert_max_num_queries: Any) -> None:
    client = signed_in(team.admin)
    saved_views.create_saved_view(web(team.admin), name="Urgent", filters={"priority": ["urgent"]})

    fill(team, 3)
    few = queries(client, reverse("inbox-counts"))
    fill(team, 30)
    many = queries(client, reverse("inbox-counts"))

    assert few == many
    with django_assert_max_num_queries(8):
        client.get(reverse("inbox-counts"))


def test_rows_fragment_is_bounded(team: Team) -> None:
    client = signed_in(team.agent)
    params = {"view": "open", "filtered": "1", "columns": list(saved_views.COLUMNS)}

    fill(team, 3)
    few = queries(client, reverse("inbox-rows"), params)
    fill(team, 30)
    many = queries(client, reverse("inbox-rows"), params)

    assert few == many

"""The list: filters as in the API, sorts, columns, cursor pages and the new-tickets bar."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from atiende.core.actor import Actor
from atiende.tickets import services
from atiende.tickets.services.sla import set_due_times
from tests.factories import make_customer, make_org, make_ticket, web
from tests.web.inbox.conftest import Team, signed_in

SLA = Actor.system("sla")

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def row_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'id="ticket-row-(\d+)"', html)]


def listed(client: Client, **params: Any) -> list[int]:
    response = client.get(reverse("inbox"), {"view": "open", "filtered": "1", **params})
    assert response.status_code == 200, response.content.decode()[:500]
    return row_ids(response.content.decode())


def test_each_filter_narrows_the_list(team: Team, on_commit: Callable[..., Any]) -> None:
    org = make_org()
    customer = make_customer(organization_id=org.pk)
    with on_commit():  # the search index is written after commit
        a = make_ticket(
            customer,
            subject="Broken printer",
            group_id=team.support.pk,
            assignee_id=team.agent.pk,
            priority="urgent",
            tags=["hardware", "vip"],
            channel="email",
        )
    b = make_ticket(group_id=team.support.pk, priority="low", tags=["hardware"], status="pending")
    c = make_ticket(subject="Password reset", channel="phone")
    client = signed_in(team.agent)

    assert set(listed(client)) == {a.pk, b.pk, c.pk}
    assert listed(client, status="pending") == [b.pk]
    assert set(listed(client, status_category=["new", "pending"])) == {a.pk, b.pk, c.pk}
    assert listed(client, priority="urgent") == [a.pk]
    assert set(listed(client, group_id=team.support.pk)) == {a.pk, b.pk}
    assert listed(client, assignee="me") == [a.pk]
    assert listed(client, assignee=str(team.agent.pk)) == [a.pk]
    assert set(listed(client, assignee="unassigned")) == {b.pk, c.pk}
    assert listed(client, requester_id=customer.pk) == [a.pk]
    assert listed(client, organization_id=org.pk) == [a.pk]
    assert set(listed(client, tag="hardware")) == {a.pk, b.pk}
    assert listed(client, tag=["hardware", "vip"]) == [a.pk]
    assert listed(client, tag="Hardware, VIP") == [a.pk]
    assert listed(client, channel="phone") == [c.pk]
    assert listed(client, q="printer") == [a.pk]
    assert listed(client, q=f"#{c.number}") == [c.pk]
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert set(listed(client, created_after=timezone.localdate().isoformat())) == {
        a.pk,
        b.pk,
        c.pk,
    }
    assert listed(client, created_after=tomorrow) == []
    assert set(listed(client, updated_before=tomorrow)) == {a.pk, b.pk, c.pk}


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"status": "nope"}, "status", "Select a valid choice"),
        ({"priority": "nope"}, "priority", "Select a valid choice"),
        ({"assignee": "999999"}, "assignee", "Select a valid choice"),
        ({"requester_id": "abc"}, "requester_id", "Enter a whole number."),
        ({"requester_id": "999999"}, "requester_id", "Unknown user."),
        ({"organization_id": "-3"}, "organization_id", "Enter a whole number."),
        ({"created_after": "yesterday"}, "created_after", "Enter a date as YYYY-MM-DD."),
        (
            {"created_after": "2026-02-01", "created_before": "2026-01-01"},
            "created_before",
            "This date must come after the first one.",
        ),
        ({"solved_since_days": "0"}, "solved_since_days", "Enter a number of days"),
        ({"tag": "x" * 101}, "tag", "Tags must be at most 100 characters."),
        ({"sort": "random"}, "sort", "Select a valid choice"),
        ({"columns": ["status", "tags"]}, "columns", "Show the number or the subject"),
    ],
)
def test_bad_filters_are_shown_next_to_their_field(
    team: Team, params: dict[str, Any], field: str, message: str
) -> None:
    make_ticket(group_id=team.support.pk, subject="Should not be listed")

    response = signed_in(team.agent).get(
        reverse("inbox"), {"view": "open", "filtered": "1", **params}
    )

    html = response.content.decode()
    assert response.status_code == 200
    error = re.search(rf'id="id_{field}-error">([^<]*)<', html)
    assert error is not None, html[html.find("filter-grid") :][:3000]
    assert message in error.group(1)
    assert "Should not be listed" not in html
    assert "The filters are not valid" in html


def test_sorts(team: Team) -> None:
    low = make_ticket(group_id=team.support.pk, priority="low")
    urgent = make_ticket(group_id=team.support.pk, priority="urgent")
    normal = make_ticket(group_id=team.support.pk, priority="normal")
    now = timezone.now()
    # The due sort is the next SLA breach: the soonest of the three due times.
    set_due_times(
        SLA,
        ticket_id=low.pk,
        first_response_due_at=None,
        next_response_due_at=None,
        resolution_due_at=now + datetime.timedelta(hours=2),
    )
    set_due_times(
        SLA,
        ticket_id=normal.pk,
        first_response_due_at=now + datetime.timedelta(hours=1),
        next_response_due_at=None,
        resolution_due_at=now + datetime.timedelta(hours=5),
    )
    services.update_ticket(
        web(team.agent), ticket_id=low.pk, version=None, changes={"subject": "Touched last"}
    )
    client = signed_in(team.agent)

    assert listed(client, sort="-created_at") == [normal.pk, urgent.pk, low.pk]
    assert listed(client, sort="created_at") == [low.pk, urgent.pk, normal.pk]
    assert listed(client, sort="-priority") == [urgent.pk, normal.pk, low.pk]
    assert listed(client, sort="sla_due_at") == [normal.pk, low.pk, urgent.pk]
    assert listed(client, sort="-updated_at")[0] == low.pk


def test_chosen_columns_are_the_table_headers(team: Team) -> None:
    make_ticket(group_id=team.support.pk, tags=["vip"], channel="phone")

    response = signed_in(team.agent).get(
        reverse("inbox"),
        {"view": "open", "filtered": "1", "columns": ["subject", "tags", "channel", "due"]},
    )

    html = response.content.decode()
    headers = re.findall(r'<th scope="col" class="col-(\w+)">', html)
    assert headers == ["subject", "tags", "channel", "due"]
    assert '<span class="tag">vip</span>' in html
    assert "Phone" in html
    assert "col-number" not in html


def test_cursor_pages_through_every_ticket_once(team: Team) -> None:
    made = [make_ticket(group_id=team.support.pk).pk for _ in range(30)]
    client = signed_in(team.agent)

    first = client.get(reverse("inbox")).content.decode()
    seen = row_ids(first)
    assert len(seen) == 25
    more = re.search(r'hx-get="([^"]+cursor=[^"]+)"', first)
    assert more is not None
    second = client.get(more.group(1).replace("&amp;", "&"))
    assert second.status_code == 200
    html = second.content.decode()
    assert "<html" not in html
    seen += row_ids(html)
    assert sorted(seen) == sorted(made)
    assert seen == sorted(made, reverse=True)  # newest first, no repeats
    assert "Load more" not in html  # the last page


def test_load_more_works_without_javascript(team: Team) -> None:
    for _ in range(26):
        make_ticket(group_id=team.support.pk)
    client = signed_in(team.agent)

    first = client.get(reverse("inbox")).content.decode()
    link = re.search(r'<a class="button secondary" href="([^"]+cursor=[^"]+)"', first)
    assert link is not None
    page = client.get(link.group(1).replace("&amp;", "&"))
    assert page.status_code == 200
    assert len(row_ids(page.content.decode())) == 1


def test_tampered_cursor_is_a_clear_error(team: Team) -> None:
    client = signed_in(team.agent)

    fragment = client.get(reverse("inbox-rows"), {"view": "open", "cursor": "garbage!"})
    page = client.get(reverse("inbox"), {"view": "open", "cursor": "garbage!"})

    assert fragment.status_code == 422
    assert "The cursor is not valid for this list." in fragment.content.decode()
    assert page.status_code == 200
    assert "The cursor is not valid for this list." in page.content.decode()


def test_new_tickets_bar_counts_matching_arrivals(team: Team) -> None:
    since = timezone.now()
    make_ticket(group_id=team.support.pk)
    make_ticket(group_id=team.support.pk, status="pending")
    make_ticket(group_id=team.billing.pk)  # invisible to the agent
    client = signed_in(team.agent)

    page = client.get(reverse("inbox"), {"view": "pending"}).content.decode()
    assert "atiende:ticket.created from:document" in page

    pending = client.get(reverse("inbox-new"), {"view": "pending", "since": since.isoformat()})
    everything = client.get(reverse("inbox-new"), {"view": "open", "since": since.isoformat()})
    later = client.get(reverse("inbox-new"), {"view": "open", "since": timezone.now().isoformat()})

    assert "1 new ticket — show" in pending.content.decode()
    assert "2 new tickets — show" in everything.content.decode()
    assert "new ticket" not in later.content.decode()
    bad = client.get(reverse("inbox-new"), {"view": "open", "since": "soon"})
    assert bad.status_code == 422

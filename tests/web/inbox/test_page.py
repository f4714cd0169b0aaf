"""The inbox page and its sidebar: views, counts and scoping per role."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from atiende.tickets import saved_views, services
from atiende.tickets.models import Ticket
from tests.factories import make_customer, make_ticket, web
from tests.web.inbox.conftest import Team, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def counts(html: str) -> dict[str, int]:
    """Each sidebar view's count, by its key (``data-view``)."""
    found = re.findall(r'data-view="([^"]+)"[^>]*>.*?<span class="count">(\d+)', html, re.S)
    return {key: int(n) for key, n in found}


def row_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'id="ticket-row-(\d+)"', html)]


def test_counts_and_views_for_an_agent_in_a_group(team: Team) -> None:
    mine = make_ticket(subject="Mine", group_id=team.support.pk, assignee_id=team.agent.pk)
    unassigned = make_ticket(subject="Waiting", group_id=team.support.pk)
    triage = make_ticket(subject="No group yet")
    billing = make_ticket(subject="Invoice", group_id=team.billing.pk)
    pending = make_ticket(subject="Asked", group_id=team.support.pk, status="pending")
    solved = make_ticket(subject="Done", group_id=team.support.pk)
    services.change_status(web(team.admin), ticket_id=solved.pk, status="solved")

    response = signed_in(team.agent).get(reverse("inbox"))

    assert response.status_code == 200
    html = response.content.decode()
    assert counts(html) == {
        "mine": 1,
        "unassigned": 3,  # Waiting, No group yet, Asked
        "open": 4,
        "pending": 1,
        "solved": 1,
        f"group-{team.support.pk}": 3,
    }
    assert f"group-{team.billing.pk}" not in html  # not a member
    # The default view is "All open": every visible active ticket, never billing's.
    assert set(row_ids(html)) == {mine.pk, unassigned.pk, triage.pk, pending.pk}
    assert billing.pk not in row_ids(html)
    assert 'aria-current="page"' in html
    assert reverse("customers") in html  # the main navigation is still there


def test_admin_sees_every_group_and_every_ticket(team: Team) -> None:
    make_ticket(group_id=team.support.pk)
    billing = make_ticket(group_id=team.billing.pk)

    html = signed_in(team.admin).get(reverse("inbox") + "?view=open").content.decode()

    found = counts(html)
    assert found["open"] == 2
    assert found[f"group-{team.support.pk}"] == 1
    assert found[f"group-{team.billing.pk}"] == 1
    assert billing.pk in row_ids(html)


def test_agent_outside_the_group_does_not_see_its_tickets(team: Team) -> None:
    ticket = make_ticket(group_id=team.support.pk, subject="Support only")

    client = signed_in(team.other)
    html = client.get(reverse("inbox")).content.decode()

    assert "Support only" not in html
    assert counts(html)["open"] == 0
    # A group view of a group one is not in does not exist for them.
    assert client.get(reverse("inbox") + f"?view=group-{team.support.pk}").status_code == 404
    # Filtering by that group shows nothing either: scoping applies to every filter.
    filtered = client.get(
        reverse("inbox"), {"view": "open", "filtered": "1", "group_id": str(team.support.pk)}
    )
    assert filtered.status_code == 200
    assert ticket.pk not in row_ids(filtered.content.decode())


def test_group_view_lists_the_groups_open_tickets(team: Team) -> None:
    inside = make_ticket(group_id=team.support.pk)
    make_ticket()  # triage, no group

    html = (
        signed_in(team.agent)
        .get(reverse("inbox"), {"view": f"group-{team.support.pk}"})
        .content.decode()
    )

    assert row_ids(html) == [inside.pk]
    assert '<h1 id="inbox-title">Support</h1>' in html


def test_recently_solved_leaves_out_older_solutions(team: Team) -> None:
    recent, old = make_ticket(group_id=team.support.pk), make_ticket(group_id=team.support.pk)
    for ticket in (recent, old):
        services.change_status(web(team.admin), ticket_id=ticket.pk, status="solved")
    Ticket.objects.filter(pk=old.pk).update(solved_at=timezone.now() - datetime.timedelta(days=8))

    html = signed_in(team.agent).get(reverse("inbox"), {"view": "solved"}).content.decode()

    assert row_ids(html) == [recent.pk]
    assert counts(html)["solved"] == 1


def test_customer_gets_403_everywhere(team: Team) -> None:
    client = signed_in(make_customer())
    view = saved_views.create_saved_view(web(team.agent), name="Team", filters={}, shared=True)
    for url in (
        reverse("inbox"),
        reverse("inbox-rows"),
        reverse("inbox-counts"),
        reverse("inbox-new"),
        reverse("inbox-view-create"),
        reverse("inbox-view-edit", args=[view.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Not allowed" in response.content.decode()
    assert client.post(reverse("inbox-bulk"), {"action": "close"}).status_code == 403
    assert client.post(reverse("inbox-view-delete", args=[view.pk])).status_code == 403
    assert client.post(reverse("inbox-view-create"), {"name": "Mine"}).status_code == 403


def test_anonymous_is_sent_to_sign_in() -> None:
    response = Client().get(reverse("inbox"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_unknown_view_is_404(team: Team) -> None:
    client = signed_in(team.agent)
    for key in ("nope", "saved-999999", "group-abc", "group-999999"):
        assert client.get(reverse("inbox"), {"view": key}).status_code == 404, key
        # Fragments answer with a short message htmx can show, not a whole 404 page.
        for name in ("inbox-rows", "inbox-new"):
            fragment = client.get(reverse(name), {"view": key, "since": "2026-01-01T00:00:00"})
            assert fragment.status_code == 404
            assert "View not found." in fragment.content.decode()
            assert "<html" not in fragment.content.decode()


def test_counts_fragment_refreshes_on_live_events(team: Team) -> None:
    make_ticket(group_id=team.support.pk, assignee_id=team.agent.pk)

    response = signed_in(team.agent).get(reverse("inbox-counts"), {"current": "mine"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "atiende:ticket.created from:document" in html
    assert "atiende:ticket.updated from:document" in html
    assert "every 60s" in html
    assert counts(html)["mine"] == 1
    assert re.search(r'data-view="mine" aria-current="page"', html)
    assert "<html" not in html  # a fragment, not a page


def test_rows_carry_the_contract_markers(team: Team) -> None:
    ticket = make_ticket(group_id=team.support.pk, subject="Printer on fire")

    html = signed_in(team.agent).get(reverse("inbox")).content.decode()

    assert f'<tr data-row id="ticket-row-{ticket.pk}">' in html
    assert 'data-shortcut="x"' in html
    assert f'href="{reverse("ticket", args=[ticket.pk])}"' in html
    assert f"Select ticket #{ticket.number}" in html


@pytest.mark.parametrize("user", ["admin", "agent", "other"])
def test_each_count_matches_its_list(team: Team, user: str) -> None:
    """The sidebar's cheap aggregate and the list's own query agree for every view."""
    make_ticket(group_id=team.support.pk, assignee_id=team.agent.pk)
    make_ticket(group_id=team.support.pk, status="pending")
    make_ticket(group_id=team.billing.pk, assignee_id=team.other.pk, priority="urgent")
    make_ticket(group_id=team.billing.pk)
    make_ticket()
    solved = make_ticket(group_id=team.billing.pk)
    services.change_status(web(team.admin), ticket_id=solved.pk, status="solved")
    closed = make_ticket(group_id=team.support.pk)
    services.change_status(web(team.admin), ticket_id=closed.pk, status="closed")
    viewer = getattr(team, user)
    saved_views.create_saved_view(
        web(viewer), name="Urgent", filters={"priority": ["urgent"]}, shared=True
    )
    client = signed_in(viewer)

    found = counts(client.get(reverse("inbox")).content.decode())

    assert len(found) >= 6
    for key, count in found.items():
        html = client.get(reverse("inbox"), {"view": key}).content.decode()
        assert len(row_ids(html)) == count, key

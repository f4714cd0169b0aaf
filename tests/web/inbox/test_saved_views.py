"""Saved views: create from the current filters, edit, share, delete; errors and privacy."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from atiende.accounts.models import User
from atiende.core.errors import Forbidden, Invalid, NotFound
from atiende.tickets import saved_views
from atiende.tickets.models import SavedView
from tests.factories import make_customer, make_ticket, web
from tests.web.inbox.conftest import Team, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def row_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'id="ticket-row-(\d+)"', html)]


def make_view(owner: User, **fields: Any) -> SavedView:
    values: dict[str, Any] = {"name": "Urgent", "filters": {"priority": ["urgent"]}}
    values.update(fields)
    return saved_views.create_saved_view(web(owner), **values)


def test_save_the_current_filters_as_a_view(team: Team) -> None:
    urgent = make_ticket(group_id=team.support.pk, priority="urgent", subject="Fire")
    make_ticket(group_id=team.support.pk, priority="low")
    client = signed_in(team.agent)
    query = {
        "view": "open",
        "filtered": "1",
        "priority": "urgent",
        "sort": "-priority",
        "columns": ["number", "subject", "priority"],
    }

    form = client.get(reverse("inbox-view-create"), query).content.decode()
    assert 'value="urgent" checked' in form or re.search(r'value="urgent"[^>]*checked', form)
    response = client.post(
        reverse("inbox-view-create"),
        {
            "name": "  Fires  ",
            "priority": "urgent",
            "sort": "-priority",
            "columns": ["number", "subject", "priority"],
        },
    )

    view = SavedView.objects.get(owner=team.agent)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('inbox')}?view=saved-{view.pk}"
    assert (view.name, view.shared, view.sort) == ("Fires", False, "-priority")
    assert view.filters == {"priority": ["urgent"]}
    assert view.columns == ["number", "subject", "priority"]
    page = client.get(response["Location"]).content.decode()
    assert row_ids(page) == [urgent.pk]
    assert re.search(rf'data-view="saved-{view.pk}" aria-current="page">.*?Fires', page, re.S)
    assert re.findall(r'<th scope="col" class="col-(\w+)">', page) == [
        "number",
        "subject",
        "priority",
    ]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "   "}, "name", "This field is required."),
        ({"name": "x" * 101}, "name", "at most 100 characters"),
        ({"name": "Taken"}, "name", "You already have a view with this name."),
        ({"name": "Ok", "status": "nope"}, "status", "Select a valid choice"),
        ({"name": "Ok", "requester_id": "x"}, "requester_id", "Enter a whole number."),
        ({"name": "Ok", "created_after": "31/12/2026"}, "created_after", "Enter a date"),
        ({"name": "Ok", "columns": ["tags"]}, "columns", "Show the number or the subject"),
        ({"name": "Ok", "sort": "chaos"}, "sort", "Select a valid choice"),
    ],
)
def test_create_errors_are_next_to_the_field(
    team: Team, data: dict[str, object], field: str, message: str
) -> None:
    make_view(team.agent, name="Taken")

    response = signed_in(team.agent).post(reverse("inbox-view-create"), data)

    assert response.status_code == 422
    html = response.content.decode()
    if field == "name":
        error = re.search(r'id="name-error">([^<]*)<', html)
    else:
        error = re.search(rf'id="id_{field}-error">([^<]*)<', html)
    assert error is not None
    assert message in error.group(1)
    assert SavedView.objects.filter(owner=team.agent).count() == 1


def test_service_checks_filter_names_and_values(team: Team) -> None:
    actor = web(team.agent)
    with pytest.raises(Invalid) as caught:
        saved_views.create_saved_view(
            actor,
            name="",
            filters={"colour": "red", "status": ["nope"], "channel": ["fax"], "assignee": "x"},
            columns=["number", "shoe size"],
            sort="random",
        )
    fields = {e.field for e in caught.value.errors}
    assert fields == {"name", "colour", "status", "channel", "assignee", "columns", "sort"}
    with pytest.raises(Forbidden):
        saved_views.create_saved_view(web(make_customer()), name="Mine", filters={})
    assert not SavedView.objects.exists()


def test_edit_rename_columns_sort_and_filters(team: Team) -> None:
    view = make_view(team.agent)
    client = signed_in(team.agent)

    form = client.get(reverse("inbox-view-edit", args=[view.pk]))
    assert form.status_code == 200
    assert 'value="Urgent"' in form.content.decode()
    response = client.post(
        reverse("inbox-view-edit", args=[view.pk]),
        {
            "name": "Urgent billing",
            "shared": "on",
            "priority": ["urgent", "high"],
            "group_id": team.support.pk,
            "columns": ["subject", "due"],
            "sort": "sla_due_at",
        },
    )

    assert response.status_code == 302
    view.refresh_from_db()
    assert view.name == "Urgent billing"
    assert view.shared is True
    assert view.filters == {"priority": ["urgent", "high"], "group_id": team.support.pk}
    assert view.columns == ["subject", "due"]
    assert view.sort == "sla_due_at"


def test_edit_errors_keep_the_view_unchanged(team: Team) -> None:
    view = make_view(team.agent)
    make_view(team.agent, name="Other")

    response = signed_in(team.agent).post(
        reverse("inbox-view-edit", args=[view.pk]), {"name": "other", "columns": ["number"]}
    )

    assert response.status_code == 422
    assert "You already have a view with this name." in response.content.decode()
    view.refresh_from_db()
    assert view.name == "Urgent"


def test_personal_views_are_private(team: Team) -> None:
    view = make_view(team.agent, name="My secret view")
    client = signed_in(team.other)

    inbox = client.get(reverse("inbox")).content.decode()
    assert "My secret view" not in inbox
    assert client.get(reverse("inbox"), {"view": f"saved-{view.pk}"}).status_code == 404
    assert client.get(reverse("inbox-view-edit", args=[view.pk])).status_code == 404
    assert client.post(reverse("inbox-view-delete", args=[view.pk])).status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()
    with pytest.raises(NotFound):
        saved_views.get_saved_view(web(team.other), view.pk)
    # Personal means private from admins too: it is not in their sidebar.
    assert "My secret view" not in signed_in(team.admin).get(reverse("inbox")).content.decode()


def test_shared_view_runs_in_each_viewers_scope(team: Team) -> None:
    support = make_ticket(group_id=team.support.pk, priority="urgent", subject="Support fire")
    billing = make_ticket(group_id=team.billing.pk, priority="urgent", subject="Billing fire")
    mine = make_ticket(group_id=team.billing.pk, assignee_id=team.other.pk, subject="Bea's")
    view = make_view(team.agent, name="Urgent everywhere", shared=True)
    assigned = make_view(team.agent, name="Assigned to me", shared=True, filters={"assignee": "me"})

    as_other = signed_in(team.other)
    page = as_other.get(reverse("inbox"), {"view": f"saved-{view.pk}"}).content.decode()
    assert row_ids(page) == [billing.pk]
    assert "Support fire" not in page
    assert re.search(rf'data-view="saved-{view.pk}"[^>]*>.*?<span class="count">1', page, re.S)
    # "me" is whoever runs the view.
    theirs = as_other.get(reverse("inbox"), {"view": f"saved-{assigned.pk}"}).content.decode()
    assert row_ids(theirs) == [mine.pk]
    own = signed_in(team.agent).get(reverse("inbox"), {"view": f"saved-{view.pk}"})
    assert row_ids(own.content.decode()) == [support.pk]


def test_only_owner_or_admin_edits_a_shared_view(team: Team) -> None:
    view = make_view(team.agent, name="Team queue", shared=True)
    other = signed_in(team.other)

    assert other.get(reverse("inbox-view-edit", args=[view.pk])).status_code == 403
    response = other.post(
        reverse("inbox-view-edit", args=[view.pk]), {"name": "Hijacked", "columns": ["number"]}
    )
    assert response.status_code == 403
    assert other.post(reverse("inbox-view-delete", args=[view.pk])).status_code == 403
    with pytest.raises(Forbidden):
        saved_views.update_saved_view(web(team.other), view_id=view.pk, name="Hijacked")
    view.refresh_from_db()
    assert view.name == "Team queue"
    page = other.get(reverse("inbox"), {"view": f"saved-{view.pk}"}).content.decode()
    assert "Edit view" not in page

    admin = signed_in(team.admin)
    response = admin.post(
        reverse("inbox-view-edit", args=[view.pk]),
        {"name": "Team queue (tidied)", "shared": "on", "columns": ["number"]},
    )
    assert response.status_code == 302
    view.refresh_from_db()
    assert view.name == "Team queue (tidied)"
    assert view.owner == team.agent


def test_owner_deletes_a_view(team: Team) -> None:
    view = make_view(team.agent)
    client = signed_in(team.agent)

    assert client.get(reverse("inbox-view-delete", args=[view.pk])).status_code == 405
    response = client.post(reverse("inbox-view-delete", args=[view.pk]), follow=True)

    assert response.status_code == 200
    assert "View “Urgent” deleted." in response.content.decode()
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_a_stale_stored_filter_still_runs(team: Team) -> None:
    """A view saved before a status was removed lists nothing for it, and never fails."""
    view = make_view(team.agent)
    SavedView.objects.filter(pk=view.pk).update(
        filters={"status": ["gone"], "group_id": "x", "created_after": 5}, columns=["nope"]
    )
    response = signed_in(team.agent).get(reverse("inbox"), {"view": f"saved-{view.pk}"})
    assert response.status_code == 200
    assert row_ids(response.content.decode()) == []

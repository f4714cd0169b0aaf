"""My canned responses: every agent keeps their own; nobody else sees or changes them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from atiende.automation.macros.services import create_macro
from atiende.automation.models import Macro
from tests.factories import SYSTEM, make_admin, make_agent, make_group, web

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_agent_manages_personal_responses() -> None:
    group = make_group("Support")
    agent = make_agent(group)
    client = signed_in(agent)

    response = client.post(
        reverse("account-canned"),
        {"name": "Greeting", "body": "Hello {{ customer.name }}", "group_id": str(group.pk),
         "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    mine = Macro.objects.get()
    assert (mine.owner_id, mine.group_id) == (agent.pk, group.pk)
    page = client.get(reverse("account-canned")).content.decode()
    assert ">Greeting</a>" in page
    assert 'aria-current="page">My canned responses' in page

    edit = reverse("account-canned-edit", args=[mine.pk])
    response = client.post(edit, {"name": "Hi", "body": "Hi!", "group_id": "", "is_active": "on"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.name, mine.body, mine.group_id) == ("Hi", "Hi!", None)

    client.post(reverse("account-canned-delete", args=[mine.pk]))
    assert not Macro.objects.exists()


def test_only_own_groups_are_offered_and_accepted() -> None:
    agent = make_agent(make_group("Mine"))
    other = make_group("Theirs")
    client = signed_in(agent)

    page = client.get(reverse("account-canned")).content.decode()
    assert ">Mine</option>" in page
    assert ">Theirs</option>" not in page
    response = client.post(
        reverse("account-canned"), {"name": "X", "body": "Y", "group_id": str(other.pk)}
    )
    assert response.status_code == 422
    assert "Select a valid choice." in response.content.decode()
    assert not Macro.objects.exists()


def test_others_responses_and_shared_ones_are_out_of_reach() -> None:
    owner = make_agent()
    theirs = create_macro(web(owner), name="Theirs", body="x")
    shared = create_macro(SYSTEM, name="Shared", body="y", shared=True)
    for user in (make_agent(), make_admin()):
        client = signed_in(user)
        page = client.get(reverse("account-canned")).content.decode()
        assert "Theirs" not in page
        assert ">Shared</a>" not in page
        for target in (theirs, shared):
            assert client.get(reverse("account-canned-edit", args=[target.pk])).status_code == 404
            response = client.post(
                reverse("account-canned-edit", args=[target.pk]), {"name": "Mine", "body": "z"}
            )
            assert response.status_code == 404
            response = client.post(reverse("account-canned-delete", args=[target.pk]))
            assert response.status_code == 404
    assert sorted(Macro.objects.values_list("name", flat=True)) == ["Shared", "Theirs"]


def test_list_is_bounded(django_assert_max_num_queries: object) -> None:
    agent = make_agent(make_group())
    client = signed_in(agent)
    for n in (3, 30):
        while Macro.objects.count() < n:
            create_macro(web(agent), name=f"R{Macro.objects.count()}", body="x")
        with django_assert_max_num_queries(7):  # type: ignore[operator]
            assert client.get(reverse("account-canned")).status_code == 200

"""Canned responses: admins keep the shared ones, every agent their own personal ones."""

from __future__ import annotations

import pytest

from atiende.core.errors import Forbidden, Invalid, NotFound
from atiende.tickets.models import CannedResponse
from atiende.tickets.services.canned_responses import (
    create_canned_response,
    delete_canned_response,
    update_canned_response,
)
from tests.factories import SYSTEM, make_admin, make_agent, make_customer, make_group, web

pytestmark = pytest.mark.django_db


def fields_of(error: pytest.ExceptionInfo[Invalid]) -> set[str]:
    return {item.field for item in error.value.errors}


def test_admin_creates_a_shared_response_for_a_group() -> None:
    group = make_group()
    admin = make_admin()

    response = create_canned_response(
        web(admin), name="  Thanks   a lot ", body="Thanks!\n", shared=True, group_id=group.pk
    )

    stored = CannedResponse.objects.get(pk=response.pk)
    assert (stored.name, stored.body, stored.owner_id, stored.group_id) == (
        "Thanks a lot",
        "Thanks!",
        None,
        group.pk,
    )


def test_agent_cannot_create_shared_but_keeps_personal_ones() -> None:
    group = make_group()
    agent = make_agent(group)

    with pytest.raises(Forbidden):
        create_canned_response(web(agent), name="Hi", body="Hello", shared=True)
    mine = create_canned_response(web(agent), name="Hi", body="Hello", group_id=group.pk)

    assert mine.owner_id == agent.pk
    assert list(CannedResponse.objects.values_list("owner_id", flat=True)) == [agent.pk]


def test_customer_and_suspended_agent_are_refused() -> None:
    suspended = make_agent(is_active=False)
    for user in (make_customer(), suspended):
        with pytest.raises(Forbidden):
            create_canned_response(web(user), name="Hi", body="Hello")
    with pytest.raises(Forbidden):
        create_canned_response(SYSTEM, name="Hi", body="Hello")
    assert not CannedResponse.objects.exists()


def test_bad_input_names_every_field() -> None:
    agent = make_agent()
    with pytest.raises(Invalid) as error:
        create_canned_response(web(agent), name="  ", body=" \n ", group_id=999_999)
    assert fields_of(error) == {"name", "body", "group_id"}
    with pytest.raises(Invalid) as error:
        create_canned_response(web(agent), name="x" * 201, body="ok")
    assert fields_of(error) == {"name"}


def test_personal_response_only_in_the_agents_own_groups() -> None:
    theirs = make_group()
    agent = make_agent(make_group())
    with pytest.raises(Invalid) as error:
        create_canned_response(web(agent), name="Hi", body="Hello", group_id=theirs.pk)
    assert fields_of(error) == {"group_id"}


def test_owner_updates_and_deletes_a_personal_response() -> None:
    agent = make_agent()
    mine = create_canned_response(web(agent), name="Hi", body="Hello")

    update_canned_response(
        web(agent), response_id=mine.pk, changes={"name": "Hello", "is_active": False}
    )

    mine.refresh_from_db()
    assert (mine.name, mine.body, mine.is_active) == ("Hello", "Hello", False)
    delete_canned_response(web(agent), response_id=mine.pk)
    assert not CannedResponse.objects.exists()


def test_someone_elses_personal_response_is_not_found_even_for_admins() -> None:
    owner = make_agent()
    mine = create_canned_response(web(owner), name="Hi", body="Hello")

    for other in (make_agent(), make_admin()):
        with pytest.raises(NotFound):
            update_canned_response(web(other), response_id=mine.pk, changes={"name": "Mine"})
        with pytest.raises(NotFound):
            delete_canned_response(web(other), response_id=mine.pk)
    assert CannedResponse.objects.get().name == "Hi"


def test_agents_cannot_change_shared_responses() -> None:
    shared = create_canned_response(web(make_admin()), name="Hi", body="Hello", shared=True)
    agent = make_agent()

    with pytest.raises(Forbidden):
        update_canned_response(web(agent), response_id=shared.pk, changes={"body": "Bye"})
    with pytest.raises(Forbidden):
        delete_canned_response(web(agent), response_id=shared.pk)
    assert CannedResponse.objects.get().body == "Hello"


def test_update_refuses_unknown_fields_and_bad_values() -> None:
    admin = make_admin()
    shared = create_canned_response(web(admin), name="Hi", body="Hello", shared=True)

    with pytest.raises(Invalid) as error:
        update_canned_response(web(admin), response_id=shared.pk, changes={"owner_id": 1})
    assert fields_of(error) == {"owner_id"}
    with pytest.raises(Invalid) as error:
        update_canned_response(
            web(admin), response_id=shared.pk, changes={"body": "", "is_active": "yes"}
        )
    assert fields_of(error) == {"body", "is_active"}
    with pytest.raises(NotFound):
        update_canned_response(web(admin), response_id=999_999, changes={"name": "x"})
    assert CannedResponse.objects.get().body == "Hello"


def test_admin_moves_a_shared_response_between_groups() -> None:
    admin = make_admin()
    group = make_group()
    shared = create_canned_response(web(admin), name="Hi", body="Hello", shared=True)

    update_canned_response(web(admin), response_id=shared.pk, changes={"group_id": group.pk})
    assert CannedResponse.objects.get().group_id == group.pk
    update_canned_response(web(admin), response_id=shared.pk, changes={"group_id": None})
    assert CannedResponse.objects.get().group_id is None

"""Groups and agents: create, edit, members, suspend; errors next to the fields."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import Group, Role, User
from atiende.outbox.tasks import deliver_due_effects
from tests.factories import make_agent, make_customer, make_group

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def field_error(body: str, message: str) -> bool:
    return f'<span class="field-error" role="alert">{message}</span>' in body


def test_admin_creates_a_group_with_members(as_admin: Client) -> None:
    ana, ben = make_agent(name="Ana"), make_agent(name="Ben")

    response = as_admin.post(
        reverse("settings-groups"),
        {
            "name": "Billing",
            "email": "Billing@Example.com",
            "is_active": "on",
            "member_ids": [ana.pk, ben.pk],
        },
    )

    assert response.status_code == 302
    group = Group.objects.get(name="Billing")
    assert group.email == "billing@example.com"
    assert set(group.members.all()) == {ana, ben}
    page = as_admin.get(response["Location"]).content.decode()
    assert "Group created." in page
    assert re.search(r">Billing</a></td>\s*<td>billing@example.com</td>\s*<td>2</td>", page)


def test_duplicate_group_name_and_bad_email_show_next_to_fields(as_admin: Client) -> None:
    make_group("Billing")

    response = as_admin.post(reverse("settings-groups"), {"name": "billing"})
    assert response.status_code == 422
    assert field_error(response.content.decode(), "A group with this name already exists.")

    response = as_admin.post(reverse("settings-groups"), {"name": "Sales", "email": "nope"})
    assert response.status_code == 422
    assert field_error(response.content.decode(), "Enter a valid email address.")
    assert list(Group.objects.values_list("name", flat=True)) == ["Billing"]


def test_admin_adds_and_removes_members(as_admin: Client) -> None:
    ana, ben = make_agent(name="Ana"), make_agent(name="Ben")
    group = make_group("Support")
    group.members.set([ana])
    url = reverse("settings-group", args=[group.pk])

    page = as_admin.get(url).content.decode()
    assert re.search(rf'value="{ana.pk}"[^>]*checked', page)

    response = as_admin.post(url, {"name": "Support", "member_ids": [ben.pk]})

    assert response.status_code == 302
    group.refresh_from_db()
    assert list(group.members.all()) == [ben]
    assert group.is_active is False  # the box was not ticked


def test_a_customer_cannot_be_made_a_member(as_admin: Client) -> None:
    group = make_group("Support")
    customer = make_customer()
    response = as_admin.post(
        reverse("settings-group", args=[group.pk]), {"name": "Support", "member_ids": [customer.pk]}
    )
    assert response.status_code == 422
    assert "Select a valid choice." in response.content.decode()
    assert not group.members.exists()


def test_admin_creates_an_agent_and_invites_them(as_admin: Client) -> None:
    group = make_group("Support")

    response = as_admin.post(
        reverse("settings-agent-new"),
        {
            "name": "Nora Nueva",
            "email": "nora@example.com",
            "role": "agent",
            "group_ids": [group.pk],
            "locale": "es",
            "time_zone": "Europe/Madrid",
            "send_invitation": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()
    nora = User.objects.get(email="nora@example.com")
    assert (nora.role, nora.locale, nora.time_zone) == (Role.AGENT, "es", "Europe/Madrid")
    assert list(nora.groups.all()) == [group]
    assert not nora.has_usable_password()
    assert mail.outbox == []  # the view only promised it; the worker sends it
    deliver_due_effects.call()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nora@example.com"]
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    assert link is not None
    # The invitation sets a first password through the reset link.
    client = Client()
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"password1": "a long new secret 42", "password2": "a long new secret 42"},
    )
    assert done.status_code == 302
    nora.refresh_from_db()
    assert nora.check_password("a long new secret 42")


def test_agent_form_errors_next_to_fields(as_admin: Client) -> None:
    existing = make_agent(email="taken@example.com")
    data = {
        "name": "X",
        "email": "taken@example.com",
        "role": "agent",
        "locale": "en",
        "time_zone": "UTC",
    }
    response = as_admin.post(reverse("settings-agent-new"), data)
    assert response.status_code == 422
    assert field_error(response.content.decode(), "A user with this email already exists.")

    response = as_admin.post(
        reverse("settings-agent-new"),
        {**data, "email": "new@example.com", "role": "customer", "time_zone": "Mars/Base"},
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "Select a valid choice. customer is not one of the available choices." in body
    assert "Select a valid choice. Mars/Base is not one of the available choices." in body
    assert User.objects.filter(role__in=["agent", "admin"]).count() == 2
    deliver_due_effects.call()
    assert len(mail.outbox) == 0
    assert existing.is_active


def test_admin_edits_an_agent(as_admin: Client) -> None:
    agent = make_agent(name="Old")
    group = make_group()
    response = as_admin.post(
        reverse("settings-agent", args=[agent.pk]),
        {
            "name": "New Name",
            "email": agent.email,
            "role": "admin",
            "group_ids": [group.pk],
            "locale": "es",
            "time_zone": "America/Mexico_City",
        },
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert (agent.name, agent.role, agent.locale, agent.time_zone) == (
        "New Name",
        "admin",
        "es",
        "America/Mexico_City",
    )
    assert list(agent.groups.all()) == [group]


def test_admin_cannot_demote_themselves(as_admin: Client, admin: User) -> None:
    response = as_admin.post(
        reverse("settings-agent", args=[admin.pk]),
        {"name": "Me", "email": admin.email, "role": "agent", "locale": "en", "time_zone": "UTC"},
    )
    assert response.status_code == 422
    assert field_error(response.content.decode(), "You cannot change your own role.")
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_suspend_and_reactivate(as_admin: Client, admin: User) -> None:
    agent = make_agent()
    url = reverse("settings-agent-active", args=[agent.pk])

    response = as_admin.post(url, {"active": "0"}, follow=True)
    agent.refresh_from_db()
    assert agent.is_active is False
    body = response.content.decode()
    assert "Agent suspended." in body
    assert "This agent is suspended and cannot sign in." in body

    as_admin.post(url, {"active": "1"})
    agent.refresh_from_db()
    assert agent.is_active is True

    response = as_admin.post(
        reverse("settings-agent-active", args=[admin.pk]), {"active": "0"}, follow=True
    )
    assert "You cannot suspend yourself." in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active is True
    assert as_admin.get(url).status_code == 405


def test_agents_list_filters_and_shows_groups(as_admin: Client) -> None:
    group = make_group("Tier 2")
    make_agent(group, name="Zed Zulu")
    make_agent(name="Yan Yankee", is_active=False)
    make_customer(name="Carl Customer")

    body = as_admin.get(reverse("settings-agents")).content.decode()
    assert "Zed Zulu" in body
    assert '<span class="tag">Tier 2</span>' in body
    assert "Suspended" in body
    assert "Carl Customer" not in body
    filtered = as_admin.get(reverse("settings-agents"), {"q": "zulu"}).content.decode()
    assert "Zed Zulu" in filtered
    assert "Yan Yankee" not in filtered

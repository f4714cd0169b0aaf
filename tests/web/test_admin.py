"""The Django admin: every configuration model is there, tickets are look-but-don't-touch."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import ApiToken, Group, Identity, Role, User
from atiende.accounts.services import create_api_token
from atiende.tickets.models import Category, CustomField, Tag, Ticket
from tests.factories import SYSTEM, make_admin, make_agent, make_group, make_org, make_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

MODELS = [
    "accounts.user", "accounts.organization", "accounts.group", "accounts.identity",
    "accounts.apitoken", "tickets.status", "tickets.priority", "tickets.tag",
    "tickets.category", "tickets.customfield", "tickets.ticket", "tickets.message",
    "tickets.ticketevent",
]  # fmt: skip


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(make_admin(email="root@example.com"))
    return client


def url(model: str, view: str, *args: object) -> str:
    app, name = model.split(".")
    return reverse(f"admin:{app}_{name}_{view}", args=args)


@pytest.fixture
def some_data() -> Ticket:
    group = make_group("Soporte")
    make_org("Northwind", domains=("northwind.example",))
    Tag.objects.create(name="vip")
    Category.objects.create(name_en="Billing", name_es="Facturación")
    CustomField.objects.create(
        target="ticket", key="order", type="text", name_en="Order", name_es="Pedido"
    )
    agent = make_agent(group)
    create_api_token(SYSTEM, user=agent, name="laptop")
    return make_ticket(subject="Printer on fire", group_id=group.pk, tags=["vip"])


@pytest.mark.parametrize("model", MODELS)
def test_every_changelist_renders_for_an_admin(
    model: str, admin_client: Client, some_data: Ticket
) -> None:
    response = admin_client.get(url(model, "changelist"))

    assert response.status_code == 200
    plural = str(apps.get_model(model)._meta.verbose_name_plural)
    assert plural[0].upper() + plural[1:] in response.content.decode()


def test_admin_index_is_branded_and_hides_django_permission_groups(admin_client: Client) -> None:
    body = admin_client.get(reverse("admin:index")).content.decode()

    assert "Atiende" in body
    assert "Authentication and Authorization" not in body


def test_agents_cannot_use_the_admin(client: Client) -> None:
    client.force_login(make_agent())

    response = client.get(url("tickets.ticket", "changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_tickets_are_read_only(admin_client: Client, some_data: Ticket) -> None:
    ticket = some_data
    page = admin_client.get(url("tickets.ticket", "change", ticket.pk))

    assert page.status_code == 200
    assert "Printer on fire" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.get(url("tickets.ticket", "add")).status_code == 403
    assert (
        admin_client.post(url("tickets.ticket", "change", ticket.pk), {"subject": "x"}).status_code
        == 403
    )
    assert (
        admin_client.post(url("tickets.ticket", "delete", ticket.pk), {"post": "yes"}).status_code
        == 403
    )
    assert Ticket.objects.get(pk=ticket.pk).subject == "Printer on fire"


@pytest.mark.parametrize("term", [str(1001), "printer", "#nope"])
def test_tickets_are_searchable_by_number_and_subject(
    term: str, admin_client: Client, some_data: Ticket
) -> None:
    response = admin_client.get(url("tickets.ticket", "changelist"), {"q": term})

    assert response.status_code == 200
    found = "Printer on fire" in response.content.decode()
    assert found == (term != "#nope" and (term == "printer" or int(term) == some_data.number))


def test_adding_a_user_goes_through_the_accounts_service(admin_client: Client) -> None:
    group = make_group()
    response = admin_client.post(
        url("accounts.user", "add"),
        {
            "email": "New.Agent@Example.com",
            "name": "New Agent",
            "usable_password": "true",
            "password1": "a long pass phrase",
            "password2": "a long pass phrase",
            "role": Role.AGENT,
            "locale": "es",
            "time_zone": "Europe/Madrid",
            "groups": [group.pk],
        },
    )

    assert response.status_code == 302, response.content.decode()
    user = User.objects.get(email="new.agent@example.com")
    assert (user.role, user.locale, user.time_zone) == (Role.AGENT, "es", "Europe/Madrid")
    assert user.check_password("a long pass phrase")
    assert list(user.groups.all()) == [group]
    assert Identity.objects.filter(user=user, channel="email", value=user.email).exists()


def test_user_add_form_checks_the_passwords(admin_client: Client) -> None:
    response = admin_client.post(
        url("accounts.user", "add"),
        {"email": "x@example.com", "usable_password": "true", "password1": "a", "password2": "b",
         "role": Role.AGENT, "locale": "en", "time_zone": "UTC"},
    )  # fmt: skip

    assert response.status_code == 200
    assert "didn’t match" in response.content.decode()
    assert not User.objects.filter(email="x@example.com").exists()


def test_user_change_page_links_to_the_password_form(admin_client: Client) -> None:
    agent = make_agent()

    page = admin_client.get(url("accounts.user", "change", agent.pk))

    assert page.status_code == 200
    assert (
        admin_client.get(reverse("admin:auth_user_password_change", args=[agent.pk])).status_code
        == 200
    )


def test_tokens_can_be_revoked_but_not_edited(admin_client: Client, some_data: Ticket) -> None:
    token = ApiToken.objects.get()

    response = admin_client.post(
        url("accounts.apitoken", "changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    assert response.status_code == 302
    assert ApiToken.objects.get().revoked_at is not None
    assert admin_client.get(url("accounts.apitoken", "add")).status_code == 403


def test_organizations_are_edited_with_their_domains(admin_client: Client) -> None:
    response = admin_client.post(
        url("accounts.organization", "add"),
        {
            "name": "Acme", "notes": "", "custom_fields": "{}",
            "domains-TOTAL_FORMS": "1", "domains-INITIAL_FORMS": "0",
            "domains-0-domain": "acme.example",
        },
    )  # fmt: skip

    assert response.status_code == 302, response.content.decode()
    assert Group.objects.count() == 0
    assert list(
        apps.get_model("accounts.organization")
        .objects.get(name="Acme")
        .domains.values_list("domain", flat=True)
    ) == ["acme.example"]

"""Customer pages: list and search, create, edit, identities, the customer page, merging."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import Identity, IdentityChannel, Role, User
from atiende.accounts.services import add_identity
from atiende.tickets.models import CustomField, CustomFieldTarget, CustomFieldType, TicketEvent
from atiende.tickets.selectors import visible_tickets
from tests.factories import (
    SYSTEM,
    make_admin,
    make_agent,
    make_customer,
    make_group,
    make_org,
    make_ticket,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
SignedIn = Callable[[User], Client]


def body(response: Any) -> str:
    return str(response.content.decode())


# --- access -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("customers", []),
        ("customer-new", []),
        ("customer", [1]),
        ("customer-edit", [1]),
        ("customer-merge", [1]),
        ("organizations", []),
        ("organization", [1]),
    ],
)
def test_customers_cannot_open_staff_pages(signed_in: SignedIn, name: str, args: list[int]) -> None:
    customer = make_customer()
    response = signed_in(customer).get(reverse(name, args=args))
    assert response.status_code == 403
    assert "Your account cannot open this page." in body(response)


def test_anonymous_goes_to_sign_in() -> None:
    response = Client().get(reverse("customers"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_staff_records_and_unknown_ids_are_not_customer_pages(signed_in: SignedIn) -> None:
    agent = make_agent()
    client = signed_in(agent)
    assert client.get(reverse("customer", args=[agent.pk])).status_code == 404
    assert client.get(reverse("customer", args=[10**9])).status_code == 404
    assert client.get(reverse("customer-edit", args=[agent.pk])).status_code == 404


# --- list and search --------------------------------------------------------------------


def test_list_searches_by_name_email_phone_and_identity(signed_in: SignedIn) -> None:
    ana = make_customer(name="Ana Torres", email="ana@example.com", phone="+34 600 100 200")
    add_identity(SYSTEM, user_id=ana.pk, channel=IdentityChannel.TELEGRAM, value="@anat")
    make_customer(name="Bruno Díaz", email="bruno@example.com")
    make_agent(name="Ana Agent")
    client = signed_in(make_agent())

    everyone = body(client.get(reverse("customers")))
    assert "Ana Torres" in everyone and "Bruno Díaz" in everyone
    assert "Ana Agent" not in everyone  # staff are not customers

    for query in ("torres", "ana@example", "600100200", "@anat"):
        page = body(client.get(reverse("customers"), {"q": query}))
        assert "Ana Torres" in page, query
        assert "Bruno Díaz" not in page, query
    nothing = body(client.get(reverse("customers"), {"q": "zzz<b>"}))
    assert "No customers match “zzz&lt;b&gt;”." in nothing


def test_list_typing_answers_with_the_results_fragment(signed_in: SignedIn) -> None:
    make_customer(name="Ana Torres")
    response = signed_in(make_agent()).get(
        reverse("customers"),
        {"q": "ana"},
        headers={"HX-Request": "true", "HX-Target": "cx-results"},
    )
    assert "Ana Torres" in body(response)
    assert "<h1>" not in body(response)


def test_list_pages_with_a_cursor(signed_in: SignedIn) -> None:
    for n in range(27):
        make_customer(name=f"Customer {n:02d}")
    client = signed_in(make_agent())
    first = client.get(reverse("customers"))
    cursor = first.context["page"].next_cursor
    assert cursor and "Customer 24" in body(first) and "Customer 25" not in body(first)
    second = client.get(reverse("customers"), {"cursor": cursor})
    assert "Customer 25" in body(second) and "Customer 26" in body(second)
    assert "Customer 00" not in body(second)


def test_a_tampered_cursor_is_a_clear_error(signed_in: SignedIn) -> None:
    make_customer(name="Ana")
    response = signed_in(make_agent()).get(reverse("customers"), {"cursor": "garbage!"})
    assert response.status_code == 422
    assert "The cursor is not valid for this list." in body(response)
    assert "Ana" in body(response)


@pytest.mark.parametrize("count", [3, 30])
def test_list_queries_stay_bounded(
    signed_in: SignedIn, count: int, django_assert_max_num_queries: Any
) -> None:
    org = make_org()
    for n in range(count):
        make_customer(name=f"C{n}", organization_id=org.pk)
    client = signed_in(make_agent())
    with django_assert_max_num_queries(8):
        response = client.get(reverse("customers"), {"q": "c"})
    assert response.status_code == 200


# --- create and edit --------------------------------------------------------------------


def test_create_a_customer(signed_in: SignedIn) -> None:
    CustomField.objects.create(
        target=CustomFieldTarget.USER, key="tax_id", type=CustomFieldType.TEXT, name_en="Tax id"
    )
    org = make_org("Acme")
    client = signed_in(make_admin())  # an admin chooses the organization
    form = body(client.get(reverse("customer-new")))
    assert '<label for="id_email">Email' in form and '<label for="id_cf_tax_id">Tax id' in form

    response = client.post(
        reverse("customer-new"),
        {
            "name": "Nora Vidal",
            "email": "Nora@Example.com",
            "phone": "+34 611 222 333",
            "organization": "acme",
            "locale": "es",
            "time_zone": "Europe/Madrid",
            "notes": "Calls in the morning.",
            "cf_tax_id": "X1",
        },
    )

    customer = User.objects.get(email="nora@example.com")
    assert response.status_code == 302
    assert response["Location"] == reverse("customer", args=[customer.pk])
    assert customer.role == Role.CUSTOMER and customer.name == "Nora Vidal"
    assert customer.organization_id == org.pk and customer.locale == "es"
    assert customer.custom_fields == {"tax_id": "X1"}
    page = body(client.get(response["Location"]))
    assert "Customer created." in page and "Nora Vidal" in page


def test_create_shows_errors_next_to_the_fields(signed_in: SignedIn) -> None:
    make_customer(email="taken@example.com")
    client = signed_in(make_admin())

    duplicate = client.post(
        reverse("customer-new"),
        {"email": "taken@example.com", "locale": "en", "time_zone": "UTC"},
    )
    assert duplicate.status_code == 422
    assert "A user with this email already exists." in body(duplicate)
    assert duplicate.context["form"].errors["email"]

    bad = client.post(
        reverse("customer-new"),
        {"email": "new@example.com", "phone": "call me", "locale": "en", "time_zone": "Mars/Base"},
    )
    assert bad.status_code == 422
    errors = bad.context["form"].errors
    assert "phone" in errors and "time_zone" in errors
    assert 'aria-invalid="true"' in body(bad)

    unknown_org = client.post(
        reverse("customer-new"),
        {"email": "new@example.com", "organization": "Nope", "locale": "en", "time_zone": "UTC"},
    )
    assert unknown_org.context["form"].errors["organization"] == ["No organization has this name."]
    assert not User.objects.filter(email="new@example.com").exists()


def test_edit_a_customer_and_custom_field_errors(signed_in: SignedIn) -> None:
    CustomField.objects.create(
        target=CustomFieldTarget.USER,
        key="since",
        type=CustomFieldType.NUMBER,
        name_en="Customer since",
    )
    customer = make_customer(name="Old Name", email="c@example.com")
    client = signed_in(make_agent())
    form = body(client.get(reverse("customer-edit", args=[customer.pk])))
    assert 'value="Old Name"' in form

    data = {"name": "New Name", "email": "c@example.com", "locale": "en", "time_zone": "UTC"}
    bad = client.post(reverse("customer-edit", args=[customer.pk]), {**data, "cf_since": "soon"})
    assert bad.status_code == 422
    assert bad.context["form"].errors["cf_since"] == ["Expected a number."]
    assert User.objects.get(pk=customer.pk).name == "Old Name"

    ok = client.post(reverse("customer-edit", args=[customer.pk]), {**data, "cf_since": "2019"})
    assert ok.status_code == 302
    saved = User.objects.get(pk=customer.pk)
    assert saved.name == "New Name" and saved.custom_fields == {"since": 2019}


def test_agents_may_not_change_a_customer_email_admins_may(signed_in: SignedIn) -> None:
    customer = make_customer(email="c@example.com")
    data = {"name": "C", "email": "other@example.com", "locale": "en", "time_zone": "UTC"}
    refused = signed_in(make_agent()).post(reverse("customer-edit", args=[customer.pk]), data)
    assert refused.status_code == 422
    assert refused.context["form"].errors["email"] == ["Not allowed."]
    assert User.objects.get(pk=customer.pk).email == "c@example.com"

    done = signed_in(make_admin()).post(reverse("customer-edit", args=[customer.pk]), data)
    assert done.status_code == 302
    assert User.objects.get(pk=customer.pk).email == "other@example.com"


def organization_input(page: str) -> str:
    start = page.index('name="organization"')
    return page[page.rindex("<input", 0, start) : page.index(">", start)]


def test_agents_see_the_organization_read_only_and_cannot_move_a_customer(
    signed_in: SignedIn,
) -> None:
    acme, globex = make_org("Acme"), make_org("Globex")
    customer = make_customer(email="c@example.com", organization_id=acme.pk)
    data = {"name": "C", "email": "c@example.com", "locale": "en", "time_zone": "UTC"}
    agent = signed_in(make_agent())

    form = body(agent.get(reverse("customer-edit", args=[customer.pk])))
    assert (
        'name="organization"' in form and "disabled" in form.split('name="organization"')[1][:200]
    )
    assert "Only an administrator can change the organization" in form
    for moved in ("Globex", ""):
        done = agent.post(
            reverse("customer-edit", args=[customer.pk]), {**data, "organization": moved}
        )
        assert done.status_code == 302
        assert User.objects.get(pk=customer.pk).organization_id == acme.pk
    created = agent.post(
        reverse("customer-new"), {**data, "email": "n@example.com", "organization": "Globex"}
    )
    assert created.status_code == 302
    assert User.objects.get(email="n@example.com").organization_id is None

    admin = signed_in(make_admin())
    assert (
        "disabled"
        not in body(admin.get(reverse("customer-edit", args=[customer.pk]))).split(
            'name="organization"'
        )[1][:200]
    )
    admin.post(reverse("customer-edit", args=[customer.pk]), {**data, "organization": "Globex"})
    assert User.objects.get(pk=customer.pk).organization_id == globex.pk


# --- identities -------------------------------------------------------------------------


def test_add_and_remove_identities(signed_in: SignedIn) -> None:
    customer = make_customer(email="c@example.com")
    client = signed_in(make_agent())
    url = reverse("customer-identity-add", args=[customer.pk])

    added = client.post(url, {"identity-channel": "whatsapp", "identity-value": "+34 600 1 2 3"})
    assert added.status_code == 302
    identity = Identity.objects.get(user=customer, channel=IdentityChannel.WHATSAPP)
    assert identity.value == "+34600123"

    bad = client.post(url, {"identity-channel": "whatsapp", "identity-value": "not a phone"})
    assert bad.status_code == 422
    assert bad.context["identity_form"].errors["value"]
    taken = client.post(url, {"identity-channel": "whatsapp", "identity-value": "+34600123"})
    assert taken.context["identity_form"].errors["value"] == [
        "This address is already known on this channel."
    ]
    unknown = client.post(url, {"identity-channel": "pigeon", "identity-value": "x"})
    assert unknown.context["identity_form"].errors["channel"]
    monitor = client.post(url, {"identity-channel": "alert", "identity-value": "zabbix"})
    assert monitor.context["identity_form"].errors["channel"]  # alert accounts' own

    removed = client.post(
        reverse("customer-identity-remove", args=[customer.pk, identity.pk]), follow=True
    )
    assert "Identity removed." in body(removed)
    assert not Identity.objects.filter(pk=identity.pk).exists()

    sign_in_email = Identity.objects.get(user=customer, channel=IdentityChannel.EMAIL)
    kept = client.post(
        reverse("customer-identity-remove", args=[customer.pk, sign_in_email.pk]), follow=True
    )
    assert "sign-in email" in body(kept)
    assert Identity.objects.filter(pk=sign_in_email.pk).exists()


def test_identity_of_another_customer_is_not_removed(signed_in: SignedIn) -> None:
    one, two = make_customer(), make_customer()
    theirs = Identity.objects.get(user=two)
    response = signed_in(make_agent()).post(
        reverse("customer-identity-remove", args=[one.pk, theirs.pk]), follow=True
    )
    assert "Identity not found." in body(response)
    assert Identity.objects.filter(pk=theirs.pk).exists()


def test_identity_forms_need_post(signed_in: SignedIn) -> None:
    customer = make_customer()
    client = signed_in(make_agent())
    assert client.get(reverse("customer-identity-add", args=[customer.pk])).status_code == 405


# --- the customer page ------------------------------------------------------------------


def test_customer_page_lists_visible_tickets_paginated(signed_in: SignedIn) -> None:
    mine, other = make_group(), make_group()
    agent = make_agent(mine)
    customer = make_customer(name="Paged")
    for n in range(27):
        make_ticket(customer, subject=f"Seen {n:02d}", group_id=mine.pk)
    make_ticket(customer, subject="Hidden one", group_id=other.pk)
    client = signed_in(agent)

    first = client.get(reverse("customer", args=[customer.pk]))
    page = body(first)
    assert "Seen 26" in page and "Seen 02" in page and "Seen 01" not in page
    assert "Hidden one" not in page
    second = body(
        client.get(
            reverse("customer", args=[customer.pk]), {"cursor": first.context["page"].next_cursor}
        )
    )
    assert "Seen 01" in second and "Seen 00" in second and "Seen 26" not in second


# --- merging ----------------------------------------------------------------------------


def test_merge_from_the_customer_page(signed_in: SignedIn) -> None:
    target = make_customer(name="Ana Real", email="ana@example.com")
    source = make_customer(name="Ana Duplicate", email="ana2@example.com")
    moved = make_ticket(source, subject="Old question")
    client = signed_in(make_agent())

    detail = body(client.get(reverse("customer", args=[target.pk])))
    assert reverse("customer-merge", args=[target.pk]) in detail
    pick = body(client.get(reverse("customer-merge", args=[target.pk]), {"q": "ana"}))
    assert "Ana Duplicate" in pick
    assert reverse("customer-merge", args=[target.pk]) + f"{source.pk}/" in pick
    assert f'href="/customers/{target.pk}/merge/{target.pk}/"' not in pick  # not itself

    confirm = body(client.get(reverse("customer-merge-confirm", args=[target.pk, source.pk])))
    assert "<strong>Ana Duplicate</strong> will be merged into <strong>Ana Real</strong>" in confirm
    assert "1 ticket" in confirm and "ana2@example.com" in confirm
    assert visible_tickets(SYSTEM).get(pk=moved.pk).requester_id == source.pk  # nothing yet

    done = client.post(reverse("customer-merge-confirm", args=[target.pk, source.pk]), follow=True)
    assert "The customers were merged." in body(done)
    assert "Old question" in body(done)
    assert visible_tickets(SYSTEM).get(pk=moved.pk).requester_id == target.pk
    assert TicketEvent.objects.filter(ticket=moved, field="requester").count() == 1
    assert User.objects.get(pk=source.pk).merged_into_id == target.pk


def test_merge_refusals_are_shown(signed_in: SignedIn) -> None:
    customer = make_customer()
    agent = make_agent()
    client = signed_in(agent)

    itself = client.post(reverse("customer-merge-confirm", args=[customer.pk, customer.pk]))
    assert itself.status_code == 422
    assert "A customer cannot be merged into itself." in body(itself)

    staff = client.get(reverse("customer-merge-confirm", args=[customer.pk, agent.pk]))
    assert staff.status_code == 422
    assert "Only customers can be merged" in body(staff)
    assert User.objects.get(pk=agent.pk).is_active

    unknown = client.post(reverse("customer-merge-confirm", args=[customer.pk, 10**9]))
    assert unknown.status_code == 422 and "Unknown customer." in body(unknown)


def test_customers_cannot_merge(signed_in: SignedIn) -> None:
    one, two = make_customer(), make_customer()
    response = signed_in(one).post(reverse("customer-merge-confirm", args=[one.pk, two.pk]))
    assert response.status_code == 403
    assert User.objects.get(pk=two.pk).is_active


@pytest.mark.parametrize("count", [3, 30])
def test_customer_page_queries_stay_bounded(
    signed_in: SignedIn, count: int, django_assert_max_num_queries: Any
) -> None:
    group = make_group()
    customer = make_customer(organization_id=make_org().pk)
    for _ in range(count):
        make_ticket(customer, group_id=group.pk)
    client = signed_in(make_agent(group))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("customer", args=[customer.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["\x00", "%_", "' OR 1=1 --", "a" * 5000])
def test_hostile_list_queries_answer_normally(signed_in: SignedIn, query: str) -> None:
    make_customer(name="Someone")
    make_org("Some org")
    client = signed_in(make_agent())
    assert client.get(reverse("customers"), {"q": query}).status_code == 200
    assert client.get(reverse("organizations"), {"q": query}).status_code == 200
    customer = make_customer()
    merge = client.get(reverse("customer-merge", args=[customer.pk]), {"q": query})
    assert merge.status_code == 200


def test_merge_preview_names_the_fields_that_move(signed_in: SignedIn) -> None:
    CustomField.objects.create(
        target=CustomFieldTarget.USER, key="tax_id", type=CustomFieldType.TEXT, name_en="Tax id"
    )
    target = make_customer(name="Target")
    source = make_customer(name="Source", custom_fields={"tax_id": "B-1"})
    html = body(
        signed_in(make_agent()).get(reverse("customer-merge-confirm", args=[target.pk, source.pk]))
    )
    assert "<li>Tax id: B-1</li>" in html

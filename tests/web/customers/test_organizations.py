"""Organization pages: list and search, create and edit (admins), and one organization."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import Organization, OrganizationDomain, User
from atiende.tickets.models import CustomField, CustomFieldTarget, CustomFieldType
from tests.factories import make_admin, make_agent, make_customer, make_group, make_org, make_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
SignedIn = Callable[[User], Client]


def body(response: Any) -> str:
    return str(response.content.decode())


def test_list_and_search_by_name_and_domain(signed_in: SignedIn) -> None:
    make_org("Acme Widgets", domains=("acme.test",))
    make_org("Globex")
    make_customer(organization_id=Organization.objects.get(name="Globex").pk)
    client = signed_in(make_agent())

    everything = client.get(reverse("organizations"))
    assert "Acme Widgets" in body(everything) and "Globex" in body(everything)
    assert "acme.test" in body(everything)
    assert reverse("organization-new") not in body(everything)  # agents do not create

    by_domain = body(client.get(reverse("organizations"), {"q": "acme.test"}))
    assert "Acme Widgets" in by_domain and "Globex" not in by_domain
    by_name = body(client.get(reverse("organizations"), {"q": "glob"}))
    assert "Globex" in by_name and "Acme Widgets" not in by_name


def test_admin_creates_an_organization(signed_in: SignedIn) -> None:
    CustomField.objects.create(
        target=CustomFieldTarget.ORGANIZATION,
        key="vat",
        type=CustomFieldType.TEXT,
        name_en="VAT number",
    )
    client = signed_in(make_admin())
    assert reverse("organization-new") in body(client.get(reverse("organizations")))
    response = client.post(
        reverse("organization-new"),
        {
            "name": "Initech",
            "domains": "initech.test\nWWW.Initech.Test, @mail.initech.test",
            "shared_tickets": "on",
            "notes": "Big account",
            "cf_vat": "ES123",
        },
    )
    org = Organization.objects.get(name="Initech")
    assert response.status_code == 302
    assert response["Location"] == reverse("organization", args=[org.pk])
    assert set(org.domains.values_list("domain", flat=True)) == {
        "initech.test",
        "www.initech.test",
        "mail.initech.test",
    }
    assert org.shared_tickets and org.custom_fields == {"vat": "ES123"}
    page = body(client.get(response["Location"]))
    assert "<dt>VAT number</dt><dd>ES123</dd>" in page


def test_bad_domains_and_duplicates_are_shown_by_the_field(signed_in: SignedIn) -> None:
    make_org("Taken", domains=("taken.test",))
    client = signed_in(make_admin())

    bad = client.post(reverse("organization-new"), {"name": "New", "domains": "not_a domain"})
    assert bad.status_code == 422
    assert bad.context["form"].errors["domains"]
    owned = client.post(reverse("organization-new"), {"name": "New", "domains": "taken.test"})
    assert owned.context["form"].errors["domains"] == [
        "The domain taken.test already belongs to another organization."
    ]
    same_name = client.post(reverse("organization-new"), {"name": "taken"})
    assert same_name.context["form"].errors["name"] == [
        "An organization with this name already exists."
    ]
    missing = client.post(reverse("organization-new"), {"name": ""})
    assert missing.context["form"].errors["name"]
    assert Organization.objects.count() == 1


def test_admin_edits_an_organization(signed_in: SignedIn) -> None:
    org = make_org("Acme", domains=("acme.test", "old.test"))
    client = signed_in(make_admin())
    form = body(client.get(reverse("organization-edit", args=[org.pk])))
    assert "acme.test\nold.test" in form

    response = client.post(
        reverse("organization-edit", args=[org.pk]),
        {"name": "Acme Corp", "domains": "acme.test\nnew.test", "notes": ""},
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.name == "Acme Corp" and not org.shared_tickets
    domains = OrganizationDomain.objects.filter(organization=org).values_list("domain", flat=True)
    assert set(domains) == {"acme.test", "new.test"}


def test_agents_cannot_create_or_edit(signed_in: SignedIn) -> None:
    org = make_org("Acme")
    client = signed_in(make_agent())
    assert client.get(reverse("organization-new")).status_code == 403
    refused = client.post(reverse("organization-edit", args=[org.pk]), {"name": "Hacked"})
    assert refused.status_code == 403
    org.refresh_from_db()
    assert org.name == "Acme"


def test_unknown_organization_is_404(signed_in: SignedIn) -> None:
    client = signed_in(make_admin())
    assert client.get(reverse("organization", args=[10**9])).status_code == 404
    assert client.get(reverse("organization-edit", args=[10**9])).status_code == 404


def test_organization_page_shows_customers_and_visible_tickets(signed_in: SignedIn) -> None:
    mine, other = make_group(), make_group()
    org = make_org("Acme")
    member = make_customer(name="Member One", organization_id=org.pk)
    make_customer(name="Outsider")
    make_ticket(member, subject="Visible issue", group_id=mine.pk)
    make_ticket(member, subject="Other group issue", group_id=other.pk)

    page = body(signed_in(make_agent(mine)).get(reverse("organization", args=[org.pk])))

    assert "Member One" in page and "Outsider" not in page
    assert "Visible issue" in page and "Other group issue" not in page


@pytest.mark.parametrize("count", [3, 30])
def test_organization_pages_stay_bounded(
    signed_in: SignedIn, count: int, django_assert_max_num_queries: Any
) -> None:
    group = make_group()
    org = make_org("Acme", domains=("acme.test",))
    for n in range(count):
        make_org(f"Org {n}", domains=(f"o{n}.test",))
        make_ticket(make_customer(organization_id=org.pk), group_id=group.pk)
    client = signed_in(make_agent(group))
    with django_assert_max_num_queries(8):
        assert client.get(reverse("organizations")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("organization", args=[org.pk])).status_code == 200

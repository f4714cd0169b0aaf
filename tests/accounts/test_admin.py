"""Names edited in the admin keep their folded copy, which search compares."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import Organization
from atiende.search.customers import organization_matches
from tests.factories import SYSTEM, make_admin, make_org

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

INLINE = {
    "domains-TOTAL_FORMS": "0",
    "domains-INITIAL_FORMS": "0",
    "domains-MIN_NUM_FORMS": "0",
    "domains-MAX_NUM_FORMS": "1000",
}


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(make_admin(email="root@example.com"))
    return client


def test_an_organization_renamed_in_the_admin_is_found_by_the_new_name(
    admin_client: Client,
) -> None:
    org = make_org("Talleres Muñoz")
    url = reverse("admin:accounts_organization_change", args=[org.pk])
    response = admin_client.post(url, {"name": "Ferretería Gómez", "notes": "", **INLINE})
    assert response.status_code == 302
    assert Organization.objects.get(pk=org.pk).folded_name == "ferreteria gomez"
    assert list(organization_matches(SYSTEM, "GOMEZ")) == [org]

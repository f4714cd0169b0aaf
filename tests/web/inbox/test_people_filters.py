"""The requester and organization filters take a name or an email, not only an id."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from atiende.tickets.models import SavedView
from tests.factories import make_customer, make_org, make_ticket
from tests.web.inbox.conftest import Team, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def inbox(client: Client, **params: Any) -> str:
    response = client.get(reverse("inbox"), {"view": "open", "filtered": "1", **params})
    assert response.status_code == 200
    return str(response.content.decode())


def rows(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'id="ticket-row-(\d+)"', html)}


def error(html: str, field: str) -> str:
    found = re.search(rf'id="id_{field}-error">([^<]*)<', html)
    return found.group(1) if found else ""


@pytest.fixture
def people(team: Team) -> Any:
    acme = make_org(name="Ácme Logística", domains=("acme.example",))
    other_org = make_org(name="Bodega Norte")
    maria = make_customer(name="María Núñez", email="maria@acme.example", organization_id=acme.pk)
    mario = make_customer(
        name="Mario Ruiz", email="mario@norte.example", organization_id=other_org.pk
    )
    a = make_ticket(maria, group_id=team.support.pk, subject="Factura de María")
    b = make_ticket(mario, group_id=team.support.pk, subject="Pedido de Mario")
    return acme, other_org, maria, mario, a, b


def test_a_typed_name_or_email_filters_by_that_requester(team: Team, people: Any) -> None:
    _acme, _other, maria, _mario, a, _b = people
    client = signed_in(team.agent)

    for text in ("María Núñez", "MARÍA", "maria@acme.example", "María Núñez <maria@acme.example>"):
        html = inbox(client, requester=text)
        assert rows(html) == {a.pk}, text
        # The box shows who it is and the filter holds the id, as saved views store it.
        assert 'value="María Núñez &lt;maria@acme.example&gt;"' in html
        assert f'name="requester_id" value="{maria.pk}"' in html


def test_a_typed_organization_name_or_domain_filters_by_it(team: Team, people: Any) -> None:
    acme, _other, _maria, _mario, a, _b = people
    client = signed_in(team.agent)
    for text in ("Ácme", "ácme logística", "acme.example"):
        html = inbox(client, organization=text)
        assert rows(html) == {a.pk}, text
        assert f'name="organization_id" value="{acme.pk}"' in html


def test_no_match_and_several_matches_get_a_clear_error(team: Team, people: Any) -> None:
    client = signed_in(team.agent)

    nobody = inbox(client, requester="Zacarías")
    assert error(nobody, "requester") == "No customer matches “Zacarías”."
    assert rows(nobody) == set()
    several = inbox(client, requester="mari")
    assert "Several customers match “mari”" in error(several, "requester")
    hostile = inbox(client, requester="<script>alert(1)</script>")
    assert "<script>alert(1)" not in hostile
    assert "No customer matches “&lt;script&gt;" in error(hostile, "requester")
    assert "No organization matches" in error(
        inbox(client, organization="Inexistente SA"), "organization"
    )


def test_a_picked_id_with_its_label_is_kept_and_a_cleared_box_clears_it(
    team: Team, people: Any
) -> None:
    _acme, _other, maria, _mario, a, b = people
    client = signed_in(team.agent)
    label = "María Núñez <maria@acme.example>"

    assert rows(inbox(client, requester=label, requester_id=maria.pk)) == {a.pk}
    assert rows(inbox(client, requester="", requester_id=maria.pk)) == {a.pk, b.pk}
    # A link that carries only the id (a customer's "their tickets") still filters.
    html = inbox(client, requester_id=maria.pk)
    assert rows(html) == {a.pk}
    assert 'value="María Núñez &lt;maria@acme.example&gt;"' in html


def test_suggestions_are_options_of_customers_and_organizations(team: Team, people: Any) -> None:
    acme, _other, maria, mario, _a, _b = people
    client = signed_in(team.agent)
    url = reverse("inbox-people")

    html = client.get(url, {"kind": "requester", "q": "mari"}).content.decode()
    assert f'id="requester-option-{maria.pk}"' in html and f'data-id="{mario.pk}"' in html
    assert 'role="option"' in html
    orgs = client.get(url, {"kind": "organization", "q": "ácme"}).content.decode()
    assert f'data-id="{acme.pk}"' in orgs and "Bodega" not in orgs
    assert (
        "No customer matches." in client.get(url, {"kind": "requester", "q": "zz"}).content.decode()
    )
    assert client.get(url, {"kind": "requester", "q": " "}).content.decode().strip() == ""


def test_customers_cannot_look_people_up(team: Team, people: Any) -> None:
    _acme, _other, maria, _mario, _a, _b = people
    response = signed_in(maria).get(reverse("inbox-people"), {"kind": "requester", "q": "mari"})
    assert response.status_code in (302, 403)
    assert "Mario" not in response.content.decode()


def test_a_saved_view_stores_the_id_of_the_typed_requester(team: Team, people: Any) -> None:
    _acme, _other, maria, _mario, _a, _b = people
    client = signed_in(team.agent)

    response = client.post(
        reverse("inbox-view-create"),
        {"name": "De María", "requester": "maria@acme.example", "sort": "-created_at"},
    )

    assert response.status_code == 302
    view = SavedView.objects.get(name="De María")
    assert view.filters["requester_id"] == maria.pk
    edit = client.get(reverse("inbox-view-edit", args=[view.pk])).content.decode()
    assert 'value="María Núñez &lt;maria@acme.example&gt;"' in edit
    refused = client.post(reverse("inbox-view-create"), {"name": "Nadie", "requester": "Zacarías"})
    assert refused.status_code == 422
    assert "No customer matches “Zacarías”." in refused.content.decode()

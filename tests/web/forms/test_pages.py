"""The forms' pages: the public form framed only on its own view, errors drawn next to their
fields, the portal's new-request page, the signed status page, the settings screen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from atiende.intake import services
from atiende.intake.acknowledgement import status_token
from atiende.intake.models import Form
from atiende.tickets.models import Ticket
from tests.factories import SYSTEM, make_admin, make_customer, web
from tests.intake.helpers import printer_form

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def policy(response: Any) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def stamp_of(response: Any) -> str:
    html = response.content.decode()
    start = html.index('name="stamp" value="') + len('name="stamp" value="')
    return html[start : html.index('"', start)]


def test_only_the_public_form_may_be_framed(client: Client) -> None:
    form = printer_form(public=True)
    page = client.get(reverse("forms:public", args=[form.slug]))
    assert page.status_code == 200
    assert policy(page)["frame-ancestors"] == ["*"]
    assert "X-Frame-Options" not in page.headers
    for other in ("/accounts/login/", reverse("forms:status", args=[status_token(1)])):
        response = client.get(other)
        assert policy(response)["frame-ancestors"] == ["'none'"]
        assert response.headers["X-Frame-Options"] == "DENY"


def test_a_form_with_allowed_origins_may_be_framed_by_those_only(client: Client) -> None:
    form = printer_form(public=True, allowed_origins=["https://www.cliente.test"])
    page = client.get(reverse("forms:public", args=[form.slug]))
    assert policy(page)["frame-ancestors"] == ["https://www.cliente.test"]


def test_a_customers_only_or_unknown_form_is_not_public(client: Client) -> None:
    form = printer_form()
    assert client.get(reverse("forms:public", args=[form.slug])).status_code == 404
    assert client.get(reverse("forms:public", args=["nope"])).status_code == 404


def test_a_visitor_submits_and_errors_sit_next_to_their_fields(client: Client, clock: Any) -> None:
    form = printer_form(public=True)
    url = reverse("forms:public", args=[form.slug])
    stamp = stamp_of(client.get(url))
    clock.shift(dt.timedelta(seconds=10))
    bad = {
        "stamp": stamp,
        "website": "",
        "subject": "Atasco",
        "description": "",
        "custom_fields.product": "laptop",
        "custom_fields.issue": "jam",
        "colour": "red",
        "email": "lucia@cliente.test",
    }
    response = client.post(url, bad)
    assert response.status_code == 422
    assert stamp_of(response) == stamp  # correcting quickly is no sign of a bot
    html = response.content.decode()
    for key, message in [
        ("description", "This field is required."),
        ("custom_fields.issue", "does not apply"),
    ]:
        block = html[html.index(f'data-field="{key}"') :]
        block = block[: block.index("</div>")]
        assert message in block
    assert "colour: This form has no such field." in html  # no box of its own: above the form
    assert not Ticket.objects.exists()
    good = {**bad, "description": "Se atasca", "custom_fields.product": "printer",
            "custom_fields.issue": "ink"}  # fmt: skip
    del good["colour"]
    response = client.post(url, good)
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert f"#{ticket.number}" in response.content.decode()
    assert policy(response)["frame-ancestors"] == ["*"]


def test_a_bot_reads_the_generic_message_only(client: Client, clock: Any) -> None:
    form = printer_form(public=True)
    url = reverse("forms:public", args=[form.slug])
    stamp = stamp_of(client.get(url))
    response = client.post(url, {"stamp": stamp, "website": "x", "email": "bot@spam.test"})
    assert response.status_code == 400
    assert "reload the page" in response.content.decode()
    assert not Ticket.objects.exists()


def test_the_portal_page_asks_which_form_then_prefills_it(client: Client) -> None:
    printer_form(slug="printers")
    services.create_form(
        SYSTEM,
        slug="billing",
        name_en="Billing",
        fields=[services.spec_from({"key": "subject", "prefill": "name"}, 0)],
    )
    customer = make_customer(name="Ana Ruiz")
    client.force_login(customer)
    choose = client.get(reverse("forms:portal-new"))
    assert "?form=printers" in choose.content.decode()
    page = client.get(reverse("forms:portal-new") + "?form=billing")
    assert 'value="Ana Ruiz"' in page.content.decode()
    assert 'data-suggest-url="/help/suggest/"' in page.content.decode()
    assert policy(page)["frame-ancestors"] == ["'none'"]


def test_the_portal_page_opens_the_ticket_and_shows_its_status(client: Client) -> None:
    form = printer_form()
    customer = make_customer()
    client.force_login(customer)
    url = reverse("forms:portal-new") + f"?form={form.slug}"
    response = client.post(
        url,
        {
            "subject": "Atasco",
            "description": "Se atasca",
            "custom_fields.product": "printer",
            "custom_fields.issue": "ink",
        },
    )
    ticket = Ticket.objects.get()
    assert ticket.requester == customer
    assert response.status_code == 302
    status = client.get(response["Location"])
    assert f"#{ticket.number}" in status.content.decode()


def test_the_portal_page_needs_a_sign_in(client: Client) -> None:
    response = client.get(reverse("forms:portal-new"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_a_forged_status_link_is_not_found(client: Client) -> None:
    ticket = services.submit(
        web(make_customer()), form_id=printer_form().pk, data={"subject": "s", "description": "d",
        "custom_fields.product": "laptop"},
    )  # fmt: skip
    good = status_token(ticket.pk)
    assert client.get(reverse("forms:status", args=[good])).status_code == 200
    forged = good.replace(":", "x:", 1)
    assert client.get(reverse("forms:status", args=[forged])).status_code == 404


def rows(*fields: dict[str, Any]) -> dict[str, Any]:
    """The fields table as the settings page posts it."""
    data: dict[str, Any] = {
        "fields-TOTAL_FORMS": str(len(fields)),
        "fields-INITIAL_FORMS": "0",
        "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "1000",
    }
    for index, field in enumerate(fields):
        for name, value in field.items():
            if value is True:
                value = "on"
            data[f"fields-{index}-{name}"] = value
    return data


def test_the_settings_screen_creates_a_form_and_names_a_bad_part(client: Client) -> None:
    printer_form()  # the custom fields, and a first form
    client.force_login(make_admin())
    url = reverse("forms:settings-forms")
    base = {"slug": "soporte", "name_es": "Soporte", "audience": "public", "position": 0,
            "min_fill_seconds": 3}  # fmt: skip
    issue_on_product = {"key": "custom_fields.issue", "condition_field": "custom_fields.product",
                        "condition_values": "toaster"}  # fmt: skip
    bad = client.post(
        url,
        {**base, **rows({"key": "subject"}, issue_on_product, {"key": "custom_fields.product"})},
    )
    assert bad.status_code == 422
    html = bad.content.decode()
    assert "A condition may only depend on a field above it." in html
    assert "A public form needs the email field" in html
    assert Form.objects.count() == 1
    good = client.post(
        url,
        {
            **base,
            **rows(
                {"key": "email", "required": True, "position": "1"},
                {**issue_on_product, "condition_values": "printer", "position": "3"},
                {"key": "custom_fields.product", "position": "2", "label_es": "Equipo"},
                {"key": "subject", "DELETE": True},
            ),
        },
    )
    form = Form.objects.get(slug="soporte")
    assert good.status_code == 302
    assert good["Location"] == reverse("forms:settings-form", args=[form.pk])
    fields = list(form.fields.all())
    assert [f.key for f in fields] == ["email", "custom_fields.product", "custom_fields.issue"]
    assert fields[1].label_es == "Equipo" and fields[0].required
    assert fields[2].condition == {"field": "custom_fields.product", "values": ["printer"]}
    page = client.get(good["Location"])
    assert 'data-form="soporte"' in page.content.decode()
    assert 'value="printer"' in page.content.decode()


def test_customers_cannot_reach_the_settings_screen(client: Client) -> None:
    client.force_login(make_customer())
    assert client.get(reverse("forms:settings-forms")).status_code in (302, 403)

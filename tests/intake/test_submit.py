"""Submitting a form: every bad input gets an error next to its field; a good one opens the
ticket through tickets.services with the form's group, type and priority."""

from __future__ import annotations

import io
from typing import Any

import pytest

from atiende.core.errors import Invalid, NotFound
from atiende.intake import services
from atiende.intake.models import Form
from atiende.outbox.models import Effect
from atiende.tickets.models import Channel, Priority, Ticket
from tests.factories import SYSTEM, make_customer, make_group, make_org, web
from tests.intake.helpers import printer_form, spec, specs

pytestmark = pytest.mark.django_db

GOOD = {
    "subject": "The printer eats paper",
    "description": "Every second page jams.",
    "custom_fields.product": "printer",
    "custom_fields.issue": "jam",
    "custom_fields.tray": "2",
}


def errors_of(form: Form, data: dict[str, Any], **kwargs: Any) -> dict[str, str]:
    with pytest.raises(Invalid) as caught:
        services.submit(web(make_customer()), form_id=form.pk, data=data, **kwargs)
    assert not Ticket.objects.exists()
    return {e.field: str(e.message) for e in caught.value.errors}


def test_a_submission_opens_the_ticket_with_the_forms_group_type_and_priority() -> None:
    group = make_group("Hardware")
    urgent = Priority.objects.exclude(is_default=True).order_by("-order").first()
    assert urgent is not None
    form = printer_form(group_id=group.pk, ticket_type="incident", priority=urgent.key)
    customer = make_customer(email="ana@customer.test")
    ticket = services.submit(web(customer), form_id=form.pk, data=GOOD, site_url="http://x.test")
    assert ticket.requester == customer
    assert ticket.subject == "The printer eats paper"
    assert (ticket.group_id, ticket.type, ticket.priority.key) == (group.pk, "incident", urgent.key)
    assert ticket.channel == Channel.PORTAL
    assert ticket.custom_fields == {"product": "printer", "issue": "jam", "tray": 2}
    assert ticket.messages.get().body_text.startswith("Every second page jams.")
    event = ticket.events.get(action="created")
    assert event.source == "web" and event.source_detail == "form:printers"


def test_a_missing_required_field_is_named_only_when_it_is_shown() -> None:
    form = printer_form()
    data = {**GOOD, "custom_fields.tray": ""}
    assert errors_of(form, data) == {"custom_fields.tray": "This field is required."}
    # Not a jam: the tray is hidden, so not required (and the ticket opens).
    ok = {**GOOD, "custom_fields.issue": "ink"}
    del ok["custom_fields.tray"]
    ticket = services.submit(web(make_customer()), form_id=form.pk, data=ok)
    assert ticket.custom_fields == {"product": "printer", "issue": "ink"}


def test_a_conditional_field_sent_while_its_condition_is_false_is_refused() -> None:
    form = printer_form()
    errors = errors_of(form, {**GOOD, "custom_fields.product": "laptop"})
    assert set(errors) == {"custom_fields.issue", "custom_fields.tray"}
    assert "does not apply" in errors["custom_fields.issue"]


def test_an_unknown_field_is_refused_naming_it() -> None:
    form = printer_form()
    errors = errors_of(form, {**GOOD, "favourite_colour": "blue"})
    assert errors == {"favourite_colour": "This form has no such field."}


def test_a_customer_cannot_set_a_field_the_form_does_not_have() -> None:
    form = printer_form()
    for extra in ("custom_fields.internal_code", "priority", "group_id", "email"):
        assert set(errors_of(form, {**GOOD, extra: "x"})) == {extra}


def test_a_value_of_the_wrong_type_is_named() -> None:
    form = printer_form()
    errors = errors_of(form, {**GOOD, "custom_fields.tray": "two", "custom_fields.product": "x"})
    assert errors["custom_fields.product"].startswith("Choose one of: printer, laptop")
    # The product is unreadable, so the printer's fields are hidden: sent, they do not apply.
    assert "does not apply" in errors["custom_fields.issue"]
    assert errors_of(form, {**GOOD, "custom_fields.tray": "two"}) == {
        "custom_fields.tray": "Expected a number."
    }


def test_attachments_are_stored_and_attached_to_the_first_message() -> None:
    form = printer_form()
    files = [services.Upload("photo.txt", io.BytesIO(b"jammed paper"))]
    ticket = services.submit(web(make_customer()), form_id=form.pk, data=GOOD, files=files)
    [attachment] = ticket.messages.get().attachments.all()
    assert attachment.filename == "photo.txt" and attachment.size == len(b"jammed paper")


def test_files_sent_to_a_form_without_attachments_are_refused() -> None:
    printer_form()
    form = services.create_form(
        SYSTEM, slug="plain", name_en="Plain", fields=specs(spec("description", required=True))
    )
    files = [services.Upload("a.txt", io.BytesIO(b"x"))]
    assert set(errors_of(form, {"description": "Hi"}, files=files)) == {"attachments"}


def test_an_inactive_or_customers_only_form_is_not_found() -> None:
    form = printer_form()
    with pytest.raises(NotFound):  # a visitor and a customers-only form
        services.submit(web(None), form_id=form.pk, data=GOOD)
    services.update_form(SYSTEM, form_id=form.pk, changes={"active": False})
    with pytest.raises(NotFound):
        services.submit(web(make_customer()), form_id=form.pk, data=GOOD)


def test_defaults_come_from_the_profile() -> None:
    printer_form()
    org = make_org("Acme")
    customer = make_customer(name="Ana Ruiz", phone="+34 600 000 000")
    customer.organization = org
    form = services.create_form(
        SYSTEM,
        slug="contact",
        name_en="Contact",
        fields=specs(
            spec("subject", prefill="name"),
            spec("description", prefill="organization"),
            spec("custom_fields.internal_code", prefill="phone"),
        ),
    )
    _form, fields = services.form_for(web(customer), form_id=form.pk)
    assert services.prefilled(fields, customer) == {
        "subject": "Ana Ruiz",
        "description": "Acme",
        "custom_fields.internal_code": "+34 600 000 000",
    }


def test_the_acknowledgement_is_promised_once_and_no_generic_receipt() -> None:
    form = printer_form()
    services.submit(web(make_customer()), form_id=form.pk, data=GOOD, site_url="http://x.test")
    kinds = list(Effect.objects.values_list("kind", flat=True))
    assert kinds.count("intake.acknowledgement") == 1
    assert "mail.received" not in kinds


def test_checkbox_and_multiselect_parents_as_the_web_sends_them() -> None:
    from atiende.tickets.services import config

    config.create_custom_field(SYSTEM, target="ticket", key="urgent", type="checkbox",
                               name_en="Urgent")  # fmt: skip
    config.create_custom_field(SYSTEM, target="ticket", key="areas", type="multiselect",
                               options=["wifi", "vpn", "mail"], name_en="Areas")  # fmt: skip
    config.create_custom_field(SYSTEM, target="ticket", key="why", type="text", name_en="Why")
    config.create_custom_field(SYSTEM, target="ticket", key="vpn_client", type="text",
                               name_en="VPN client")  # fmt: skip
    form = services.create_form(
        SYSTEM,
        slug="it",
        name_en="IT",
        fields=specs(
            spec("description", required=True),
            spec("custom_fields.urgent"),
            spec("custom_fields.why", required=True, when=("custom_fields.urgent", ["true"])),
            spec("custom_fields.areas"),
            spec("custom_fields.vpn_client", when=("custom_fields.areas", ["vpn"])),
        ),
    )
    customer = web(make_customer())
    # Unticked, a checkbox is not sent at all; "why" is then hidden and not required.
    ticket = services.submit(customer, form_id=form.pk, data={"description": "Hi"})
    assert ticket.custom_fields == {}
    urgent = {"description": "Hi", "custom_fields.urgent": "true"}
    with pytest.raises(Invalid) as caught:
        services.submit(customer, form_id=form.pk, data=urgent)
    assert [e.field for e in caught.value.errors] == ["custom_fields.why"]
    wifi = {"description": "Hi", "custom_fields.areas": ["wifi"], "custom_fields.vpn_client": "x"}
    with pytest.raises(Invalid) as caught:
        services.submit(customer, form_id=form.pk, data=wifi)
    assert [e.field for e in caught.value.errors] == ["custom_fields.vpn_client"]
    ticket = services.submit(
        customer,
        form_id=form.pk,
        data={
            "description": "Hi",
            "custom_fields.urgent": "true",
            "custom_fields.why": "Board meeting",
            "custom_fields.areas": ["wifi", "vpn"],
            "custom_fields.vpn_client": "WireGuard",
        },
    )
    assert ticket.custom_fields == {
        "urgent": True,
        "why": "Board meeting",
        "areas": ["wifi", "vpn"],
        "vpn_client": "WireGuard",
    }

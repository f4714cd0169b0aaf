"""A form's definition: refused naming the bad part; conditions evaluated in order, nested,
false when their field is hidden."""

from __future__ import annotations

import pytest

from atiende.core.errors import Invalid
from atiende.intake import services
from atiende.intake.definitions import resolve, shown
from atiende.intake.models import Form
from tests.factories import SYSTEM, make_customer, web
from tests.intake.helpers import PRINTER_FORM, printer_fields, printer_form, spec, specs

pytestmark = pytest.mark.django_db


def refused(*fields: dict[str, object], public: bool = False) -> dict[str, str]:
    with pytest.raises(Invalid) as caught:
        services.create_form(
            SYSTEM,
            slug="f",
            name_en="F",
            audience="public" if public else "customers",
            fields=specs(*fields),
        )
    assert not Form.objects.exists()
    return {e.field: str(e.message) for e in caught.value.errors}


def test_a_form_is_stored_with_its_fields_in_order() -> None:
    form = printer_form(group_id=None, ticket_type="incident", position=2)
    assert [f.key for f in form.fields.all()] == [s["key"] for s in PRINTER_FORM]
    assert form.fields.get(key="custom_fields.tray").condition == {
        "field": "custom_fields.issue",
        "values": ["jam"],
    }


def test_an_unknown_field_key_is_refused_naming_it() -> None:
    errors = refused(spec("subject"), spec("custom_fields.nope"), spec("favourite_colour"))
    assert set(errors) == {"fields.1.key", "fields.2.key"}
    assert "custom_fields.nope" in errors["fields.1.key"]


def test_a_field_twice_is_refused() -> None:
    assert set(refused(spec("subject"), spec("description"), spec("subject"))) == {"fields.2.key"}


def test_a_condition_on_an_unknown_field_is_refused() -> None:
    printer_fields()
    errors = refused(spec("custom_fields.issue", when=("custom_fields.colour", ["red"])))
    assert "custom_fields.colour" in errors["fields.0.condition"]


def test_a_condition_on_a_later_field_is_refused() -> None:
    printer_fields()
    errors = refused(
        spec("custom_fields.issue", when=("custom_fields.product", ["printer"])),
        spec("custom_fields.product"),
    )
    assert set(errors) == {"fields.0.condition"}
    assert "above" in errors["fields.0.condition"]


@pytest.mark.parametrize(
    "fields",
    [
        # on itself
        [spec("custom_fields.product", when=("custom_fields.product", ["printer"]))],
        # A on B, B on A
        [
            spec("custom_fields.product", when=("custom_fields.issue", ["jam"])),
            spec("custom_fields.issue", when=("custom_fields.product", ["printer"])),
        ],
    ],
)
def test_a_cycle_of_conditions_is_refused(fields: list[dict[str, object]]) -> None:
    printer_fields()
    errors = refused(*fields)
    assert all("cycle" in message for message in errors.values())
    assert "fields.0.condition" in errors


def test_a_condition_value_a_choice_field_cannot_have_is_refused() -> None:
    printer_fields()
    errors = refused(
        spec("custom_fields.product"),
        spec("custom_fields.issue", when=("custom_fields.product", ["toaster"])),
    )
    assert "printer, laptop" in errors["fields.1.condition"]


def test_a_malformed_condition_is_refused_naming_the_field() -> None:
    with pytest.raises(Invalid) as caught:
        services.spec_from({"key": "subject", "condition": {"field": "x"}}, 3)
    assert caught.value.errors[0].field == "fields.3.condition"


def test_a_public_form_needs_the_email_field() -> None:
    assert set(refused(spec("subject"), public=True)) == {"fields"}


def test_only_admins_write_forms() -> None:
    from atiende.core.errors import Forbidden

    with pytest.raises(Forbidden):
        services.create_form(web(make_customer()), slug="f", name_en="F", fields=[])


def test_an_update_that_breaks_the_definition_changes_nothing() -> None:
    form = printer_form()
    with pytest.raises(Invalid) as caught:
        services.update_form(
            SYSTEM,
            form_id=form.pk,
            changes={"name_en": "Renamed"},
            fields=specs(spec("subject"), spec("subject")),
        )
    assert caught.value.errors[0].field == "fields.1.key"
    form.refresh_from_db()
    assert form.name_en == "Printers" and form.fields.count() == len(PRINTER_FORM)


def _visible(form: Form, values: dict[str, object]) -> set[str]:
    fields = resolve(services.specs_of(form))
    return {key for key, on in shown(fields, values).items() if on}


def test_conditions_nest_and_a_hidden_parent_hides_its_children() -> None:
    form = printer_form()
    always = {"subject", "description", "custom_fields.product", "attachments"}
    assert _visible(form, {}) == always
    printer = {"custom_fields.product": "printer"}
    assert _visible(form, printer) == always | {"custom_fields.issue"}
    jam = {**printer, "custom_fields.issue": "jam"}
    assert _visible(form, jam) == always | {"custom_fields.issue", "custom_fields.tray"}
    # "jam" is still the value, but the issue is hidden: so is the tray.
    assert _visible(form, {**jam, "custom_fields.product": "laptop"}) == always

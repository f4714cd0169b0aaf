"""The condition language: every field type and operator, accents, and refused definitions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atiende.automation.triggers.conditions import compile_conditions
from atiende.automation.triggers.facts import Facts
from atiende.automation.triggers.fields import validate_conditions
from atiende.core.errors import Invalid
from atiende.core.event_types import FieldChange
from atiende.tickets import services as tickets
from atiende.tickets.services import config
from tests.factories import SYSTEM, make_agent, make_customer, make_group, make_org, make_ticket

pytestmark = pytest.mark.django_db


def holds(facts: Facts, field: str, operator: str, value: Any = None) -> bool:
    condition = {"field": field, "operator": operator, "value": value}
    validate_conditions({"all": [condition]})
    return compile_conditions({"all": [condition]}).matches(facts)


def facts_of(ticket_id: int, **kw: Any) -> Facts:
    return Facts(kind=kw.pop("kind", "updated"), ticket_id=ticket_id, **kw)


def test_text_operators_fold_case_and_accents() -> None:
    ticket = make_ticket(subject="Urgente: el sistema está CAÍDO", body="Nada funciona desde ayer")
    f = facts_of(ticket.pk)
    assert holds(f, "subject", "contains", "caido")
    assert holds(f, "subject", "contains", "Está caído")
    assert not holds(f, "subject", "not_contains", "CAIDO")
    assert holds(f, "subject", "not_contains", "impresora")
    assert holds(f, "subject", "starts_with", "urgente")
    assert not holds(f, "subject", "starts_with", "sistema")
    assert holds(f, "subject", "is", "urgente: el sistema esta caido")
    assert holds(f, "subject", "is_not", "otra cosa")
    assert holds(f, "subject", "contains", ["impresora", "caído"])  # any of
    assert holds(f, "description", "contains", "funciona")
    assert holds(f, "description", "contains_words", ["no funciona", "funciona"])
    assert not holds(f, "description", "contains_words", "func")  # whole words only
    assert holds(f, "subject", "present")
    assert not holds(f, "subject", "blank")


def test_choice_ref_and_tag_fields() -> None:
    group = make_group()
    agent = make_agent(group)
    ticket = make_ticket(
        group_id=group.pk, tags=["vip", "Facturación"], type="incident", body="ok"
    )  # too short to tell its language
    f = facts_of(ticket.pk)
    assert holds(f, "status", "is", "new")
    assert holds(f, "status", "is_not", ["open", "pending"])
    assert holds(f, "type", "is", "incident")
    assert holds(f, "channel", "is", "web")
    assert holds(f, "group", "is", group.pk)
    assert holds(f, "group", "present")
    assert holds(f, "assignee", "blank")
    assert holds(f, "assignee", "is", None)
    assert not holds(f, "assignee", "is", agent.pk)
    assert holds(f, "category", "blank")
    assert holds(f, "tags", "contains", "facturacion")
    assert holds(f, "tags", "contains", ["nope", "VIP"])
    assert holds(f, "tags", "not_contains", "spam")
    assert holds(f, "tags", "present")
    assert holds(f, "language", "blank")


def test_priority_compares_by_order() -> None:
    ticket = make_ticket(priority="high")
    f = facts_of(ticket.pk)
    assert holds(f, "priority", "is", "high")
    assert holds(f, "priority", "gt", "normal")
    assert not holds(f, "priority", "gt", "high")
    assert holds(f, "priority", "lt", "urgent")
    assert not holds(f, "priority", "lt", "low")


def test_change_operators_read_the_events_old_and_new_values() -> None:
    ticket = make_ticket()
    change = FieldChange(
        "status", {"id": 1, "name": "New", "key": "new"}, {"id": 2, "name": "Open", "key": "open"}
    )
    f = facts_of(ticket.pk, changes={"status": change})
    assert holds(f, "status", "changed")
    assert holds(f, "status", "changed_from", "new")
    assert holds(f, "status", "changed_to", "open")
    assert not holds(f, "status", "changed_to", "new")
    assert not holds(f, "priority", "changed")
    assigned = FieldChange("assignee", None, {"id": 7, "name": "Ana"})
    f = facts_of(ticket.pk, changes={"assignee": assigned})
    assert holds(f, "assignee", "changed_from", None)
    assert holds(f, "assignee", "changed_to", 7)
    renamed = FieldChange("subject", "Impresora", "La impresora está caída")
    f = facts_of(ticket.pk, changes={"subject": renamed})
    assert holds(f, "subject", "changed_to", "la impresora esta caida")


def test_custom_fields_of_ticket_customer_and_organization() -> None:
    config.create_custom_field(SYSTEM, target="ticket", key="units", type="number", name_en="Units")
    config.create_custom_field(SYSTEM, target="ticket", key="due", type="date", name_en="Due")
    config.create_custom_field(SYSTEM, target="user", key="tier", type="text", name_en="Tier")
    config.create_custom_field(
        SYSTEM, target="organization", key="gold", type="checkbox", name_en="Gold"
    )
    org = make_org("Compañía Ñandú")
    from atiende.accounts import services as accounts

    accounts.update_organization(
        SYSTEM, organization_id=org.pk, changes={"custom_fields": {"gold": True}}
    )
    customer = make_customer(organization_id=org.pk, custom_fields={"tier": "Oro"})
    ticket = make_ticket(customer, custom_fields={"units": 12, "due": "2026-12-24"})
    f = facts_of(ticket.pk)
    assert holds(f, "custom.units", "gt", 10)
    assert holds(f, "custom.units", "lt", 12.5)
    assert holds(f, "custom.units", "is", 12)
    assert not holds(f, "custom.units", "is_not", 12)
    assert holds(f, "custom.due", "lt", "2026-12-25")
    assert holds(f, "custom.due", "gt", "2026-01-01")
    assert holds(f, "custom.due", "is", "2026-12-24")
    assert holds(f, "customer.tier", "is", "oro")
    assert holds(f, "customer.email", "contains", "@example.com")
    assert holds(f, "customer.name", "present")
    assert holds(f, "organization.gold", "is", True)
    assert holds(f, "organization.name", "starts_with", "compania nandu")
    plain = make_ticket()
    assert holds(facts_of(plain.pk), "organization.gold", "is_not", True)
    assert holds(facts_of(plain.pk), "organization.name", "blank")
    assert holds(facts_of(plain.pk), "custom.units", "blank")


def test_event_fields() -> None:
    ticket = make_ticket()
    message = tickets.add_message(SYSTEM, ticket_id=ticket.pk, body="hola", public=False)
    f = Facts(
        kind="message_added",
        ticket_id=ticket.pk,
        source="rule",
        source_detail="rule:3",
        public=False,
        direction="out",
        message_id=message.pk,
    )
    assert holds(f, "event.kind", "is", "message_added")
    assert holds(f, "event.source", "is", "rule")
    assert holds(f, "event.public", "is", False)
    assert holds(f, "event.direction", "is", "out")
    assert holds(f, "event.channel", "is", "web")
    assert holds(facts_of(ticket.pk, channel="email"), "event.channel", "is", "email")


def test_within_business_hours_reads_the_groups_calendar() -> None:
    from tests.sla.helpers import office

    ticket = make_ticket()
    friday_night = dt.datetime(2026, 12, 4, 22, 0, tzinfo=dt.UTC)  # 19:00 in Santiago
    monday_ten = dt.datetime(2026, 12, 7, 13, 0, tzinfo=dt.UTC)  # 10:00 in Santiago
    # No calendar yet: open around the clock.
    assert holds(facts_of(ticket.pk, at=friday_night), "event.time", "within_business_hours", True)
    office()  # Santiago, weekdays 09:00–13:00 and 14:00–18:00, the default calendar
    assert holds(facts_of(ticket.pk, at=friday_night), "event.time", "within_business_hours", False)
    assert holds(facts_of(ticket.pk, at=monday_ten), "event.time", "within_business_hours", True)
    lunch = dt.datetime(2026, 12, 7, 16, 30, tzinfo=dt.UTC)  # 13:30: between the two shifts
    assert holds(facts_of(ticket.pk, at=lunch), "event.time", "within_business_hours", False)


def test_all_and_any() -> None:
    ticket = make_ticket(subject="Printer jam", priority="low")
    f = facts_of(ticket.pk)
    yes = {"field": "subject", "operator": "contains", "value": "printer"}
    no = {"field": "priority", "operator": "is", "value": "high"}
    assert compile_conditions({"all": [yes], "any": [no, yes]}).matches(f)
    assert not compile_conditions({"all": [yes, no]}).matches(f)
    assert not compile_conditions({"all": [yes], "any": [no]}).matches(f)
    assert compile_conditions({}).matches(f)  # no conditions: always


@pytest.mark.parametrize(
    ("condition", "part", "words"),
    [
        ({"field": "colour", "operator": "is", "value": "red"}, "field", "Unknown field"),
        ({"field": "custom.nope", "operator": "is", "value": "x"}, "field", "Unknown field"),
        ({"field": "priority", "operator": "contains", "value": "hi"}, "operator", "does not fit"),
        ({"field": "tags", "operator": "gt", "value": "x"}, "operator", "does not fit"),
        ({"field": "event.kind", "operator": "changed"}, "operator", "does not fit"),
        ({"field": "subject", "operator": "within_business_hours", "value": True}, "operator", ""),
        ({"field": "status", "operator": "is", "value": 3}, "value", "text"),
        ({"field": "status", "operator": "is", "value": "nonexistent"}, "value", "Unknown value"),
        ({"field": "priority", "operator": "gt", "value": "extreme"}, "value", "Unknown value"),
        ({"field": "group", "operator": "is", "value": "support"}, "value", "id or null"),
        ({"field": "event.public", "operator": "is", "value": "yes"}, "value", "true or false"),
        ({"field": "subject", "operator": "contains", "value": ""}, "value", "text"),
        ({"field": "subject", "operator": "contains", "value": []}, "value", "text"),
        ({"field": "subject", "operator": "is", "value": "x", "extra": 1}, "extra", "Unknown"),
    ],
)
def test_bad_conditions_are_refused_naming_the_part(
    condition: dict[str, Any], part: str, words: str
) -> None:
    ok = {"field": "subject", "operator": "present"}
    with pytest.raises(Invalid) as raised:
        validate_conditions({"all": [ok], "any": [ok, ok, condition]})
    fields = [e.field for e in raised.value.errors]
    assert fields == [f"conditions.any[2].{part}"]
    assert words in str(raised.value.errors[0].message)


def test_bad_shapes_are_refused() -> None:
    with pytest.raises(Invalid) as raised:
        validate_conditions({"all": "subject", "none": []})
    assert sorted(e.field for e in raised.value.errors) == ["conditions.all", "conditions.none"]
    with pytest.raises(Invalid):
        validate_conditions(["subject"])
    with pytest.raises(Invalid) as raised:
        validate_conditions({"all": ["subject"]})
    assert raised.value.errors[0].field == "conditions.all[0]"


def test_number_and_date_values_must_have_their_type() -> None:
    config.create_custom_field(SYSTEM, target="ticket", key="units", type="number", name_en="U")
    config.create_custom_field(SYSTEM, target="ticket", key="due", type="date", name_en="D")
    for condition, message in (
        ({"field": "custom.units", "operator": "gt", "value": "ten"}, "number"),
        ({"field": "custom.units", "operator": "gt", "value": True}, "number"),
        ({"field": "custom.due", "operator": "lt", "value": "tomorrow"}, "date"),
    ):
        with pytest.raises(Invalid) as raised:
            validate_conditions({"all": [condition]})
        assert raised.value.errors[0].field == "conditions.all[0].value"
        assert message in str(raised.value.errors[0].message)


def test_changes_of_tags_and_custom_fields() -> None:
    ticket = make_ticket()
    f = facts_of(
        ticket.pk,
        changes={
            "tags": FieldChange("tags", [], ["vip"]),
            "custom_fields.units": FieldChange("custom_fields.units", 1, 5),
        },
    )
    config.create_custom_field(SYSTEM, target="ticket", key="units", type="number", name_en="U")
    assert holds(f, "tags", "changed")
    assert holds(f, "custom.units", "changed_from", 1)
    assert holds(f, "custom.units", "changed_to", 5)
    assert not holds(f, "subject", "changed")


SPANISH = ["caído", "información", "añadir", "pingüino", "acción", "está", "Ñandú"]


@given(word=st.sampled_from(SPANISH), upper=st.booleans(), strip=st.booleans())
@settings(max_examples=40, deadline=None)
def test_contains_ignores_accents_and_case_both_ways(word: str, upper: bool, strip: bool) -> None:
    from atiende.core.folding import fold_accents

    typed = fold_accents(word) if strip else word
    typed = typed.upper() if upper else typed
    test = compile_conditions(
        {"all": [{"field": "subject", "operator": "contains", "value": typed}]}
    )
    facts = Facts(kind="created", ticket_id=0, carried={"subject": f"Hoy: {word}!"})
    assert test.matches(facts)
    facts = Facts(kind="created", ticket_id=0, carried={"subject": f"Hoy: {fold_accents(word)}"})
    assert test.matches(facts)


def test_language_is_the_detected_language_of_the_customers_first_message() -> None:
    spanish = make_ticket(body="Buenos días, el sistema de facturación no responde desde ayer.")
    english = make_ticket(
        body="Good morning, the billing system has not responded since yesterday."
    )
    assert holds(facts_of(spanish.pk), "language", "is", "es")
    assert not holds(facts_of(spanish.pk), "language", "is", "en")
    assert holds(facts_of(english.pk), "language", "is", "en")

"""The shipped priority rules: editable triggers (data), not code (issue 14 §9).

Their action (``raise_priority``) belongs to the macros part; until it is merged the
conditions are tested here and the end-to-end tests wait for it.
"""

from __future__ import annotations

import pytest

from atiende.accounts import services as accounts
from atiende.automation.actions import action_types, validate_actions
from atiende.automation.models import Trigger
from atiende.automation.triggers.conditions import compile_conditions
from atiende.automation.triggers.facts import Facts
from atiende.automation.triggers.fields import validate_conditions
from atiende.automation.triggers.services import update_trigger
from atiende.tickets.services import config
from tests.factories import SYSTEM, make_customer, make_org, make_ticket

pytestmark = pytest.mark.django_db

KEYWORDS = "Priority: urgent words in the subject or the first message"
VIP = "Priority: VIP organizations at least high"
needs_macros = pytest.mark.skipif(
    "raise_priority" not in action_types(), reason="raise_priority comes with macros"
)


def rule(name: str) -> Trigger:
    return Trigger.objects.get(name=name)


@pytest.fixture(autouse=True)
def vip_field() -> None:
    """The organizations' "vip" checkbox the migration ships (removed from the test database,
    ``tests/conftest.py``), put back as an admin would."""
    config.create_custom_field(
        SYSTEM,
        target="organization",
        key="vip",
        type="checkbox",
        name_en="VIP customer",
        name_es="Cliente VIP",
    )


@pytest.fixture
def shipped_on() -> None:
    """The suite starts with the shipped rules off (``tests/conftest.py``); as shipped: on."""
    for name in (KEYWORDS, VIP):
        update_trigger(SYSTEM, trigger_id=rule(name).pk, changes={"active": True})


def matches(name: str, ticket_id: int) -> bool:
    compiled = compile_conditions(rule(name).conditions)
    return compiled.matches(Facts(kind="created", ticket_id=ticket_id))


def vip_org() -> int:
    org = make_org()
    accounts.update_organization(
        SYSTEM, organization_id=org.pk, changes={"custom_fields": {"vip": True}}
    )
    return org.pk


def test_the_rules_ship_valid() -> None:
    for name in (KEYWORDS, VIP):
        shipped = rule(name)
        validate_conditions(shipped.conditions)
        if "raise_priority" in action_types():
            validate_actions(shipped.actions)


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("urgente: el sistema está caído", "Desde las 19:00."),
        ("El sistema esta CAIDO", "Ayuda"),
        ("Consulta", "La impresora no funciona desde ayer"),
        ("VPN", "The VPN is down since 9am"),
        ("Major outage", "Everything is red"),
    ],
)
def test_urgent_words_in_spanish_and_english_match(subject: str, body: str) -> None:
    assert matches(KEYWORDS, make_ticket(subject=subject, body=body).pk)


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("Download the invoice", "Where do I download it?"),
        ("Consulta de facturación", "¿Funciona con tarjeta?"),
    ],
)
def test_other_words_do_not(subject: str, body: str) -> None:
    assert not matches(KEYWORDS, make_ticket(subject=subject, body=body).pk)


def test_a_vip_organization_is_marked_by_its_custom_field() -> None:
    vip = make_customer(organization_id=vip_org())
    assert matches(VIP, make_ticket(vip).pk)
    assert not matches(VIP, make_ticket(make_customer(organization_id=make_org().pk)).pk)
    assert not matches(VIP, make_ticket().pk)


@needs_macros
@pytest.mark.usefixtures("shipped_on")
def test_keywords_raise_the_priority_to_high() -> None:
    ticket = make_ticket(subject="urgente: el sistema está caído")
    ticket.refresh_from_db()
    assert ticket.priority.key == "high"
    calm = make_ticket(subject="Una consulta", body="¿Cómo cambio mi clave?")
    calm.refresh_from_db()
    assert calm.priority.key == "normal"


@needs_macros
@pytest.mark.usefixtures("shipped_on")
def test_a_vip_ticket_is_at_least_high_and_urgent_stays_urgent() -> None:
    vip = make_customer(organization_id=vip_org())
    ticket = make_ticket(vip, subject="Consulta", body="¿Cómo cambio mi clave?")
    ticket.refresh_from_db()
    assert ticket.priority.key == "high"
    urgent = make_ticket(vip, subject="Consulta", body="Hola", priority="urgent")
    urgent.refresh_from_db()
    assert urgent.priority.key == "urgent"


def test_the_migration_ships_the_vip_field_and_both_rules() -> None:
    """Read from the migration itself: the test database drops what it ships."""
    import importlib

    shipped = importlib.import_module("atiende.automation.migrations.0005_triggers")
    assert [rule["name"] for rule in shipped.SHIPPED] == [KEYWORDS, VIP]
    assert {"urgente", "caído", "no funciona", "down", "outage", "urgent"} <= set(shipped.KEYWORDS)

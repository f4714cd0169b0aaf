"""SLA policies in the settings: ordered list, create/edit with conditions, the targets grid
and escalation levels; refusals next to the cell or row they name, nothing saved."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from atiende.accounts.services import update_group
from atiende.sla.models import SlaPolicy
from atiende.sla.services.policies import create_policy
from tests.factories import SYSTEM, make_admin, make_agent, make_group
from tests.sla.helpers import remove_shipped_policy

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def _without_the_shipped_policy() -> None:
    """From an empty list of policies (the shipped one: tests/sla/test_shipped_policy.py)."""
    remove_shipped_policy()


NEW = "settings-sla-new"


def policy(name: str = "VIP", **extra: str) -> dict[str, str]:
    data = {
        "name": name,
        "is_active": "on",
        "warning_minutes": "15",
        "calendar_id": "",
        "cond-count": "2",
        "cond-0-field": "priority",
        "cond-0-operator": "in",
        "cond-0-value": "high, urgent",
        "t-high-first_reply-amount": "2",
        "t-high-first_reply-unit": "hours",
        "t-high-first_reply-business": "1",
        "t-urgent-resolution-amount": "90",
        "t-urgent-resolution-unit": "minutes",
        "esc-count": "1",
    }
    data.update(extra)
    return data


def escalation(group_id: int) -> dict[str, str]:
    """One escalation level moving the ticket to ``group_id`` at the first reply's breach."""
    return {
        "esc-count": "2",
        "esc-0-kind": "first_reply",
        "esc-0-level": "1",
        "esc-0-minutes": "0",
        "esc-0-type": "set_group",
        "esc-0-value": str(group_id),
    }


def cell(body: str, name: str) -> str:
    start = body.index(f'data-cell="{name}"')
    return body[start : body.index("</td>", start)]


def row(body: str, name: str) -> str:
    start = body.index(f'name="{name}-')
    return body[body.rindex("<li", 0, start) : body.index("</li>", start)]


def test_admin_creates_a_policy_with_targets_and_a_level(as_admin: Client) -> None:
    tier2 = make_group("Tier 2")
    levels = escalation(tier2.pk)
    response = as_admin.post(reverse(NEW), policy(**levels))
    assert response.status_code == 302, response.content.decode()
    saved = SlaPolicy.objects.get()
    assert (saved.name, saved.warning_minutes, saved.is_active) == ("VIP", 15, True)
    assert saved.conditions == [{"field": "priority", "op": "in", "value": ["high", "urgent"]}]
    targets = {(t.priority.key, t.kind): (t.minutes, t.business_hours) for t in saved.targets.all()}
    assert targets == {("high", "first_reply"): (120, True), ("urgent", "resolution"): (90, False)}
    (level,) = saved.escalations.all()
    assert (level.kind, level.level, level.actions) == (
        "first_reply", 1, [{"type": "set_group", "value": tier2.pk}]
    )  # fmt: skip
    page = as_admin.get(reverse("settings-sla-policy", args=[saved.pk])).content.decode()
    assert 'name="t-high-first_reply-amount" value="2"' in page
    assert 'name="cond-0-value" value="high, urgent"' in page


@pytest.mark.parametrize("amount", ["0", "-5"])
def test_a_target_of_zero_or_less_is_refused_in_its_cell(as_admin: Client, amount: str) -> None:
    response = as_admin.post(reverse(NEW), policy(**{"t-high-first_reply-amount": amount}))
    body = response.content.decode()
    assert response.status_code == 422
    assert "A target must be a whole number of minutes above zero." in cell(
        body, "t-high-first_reply"
    )
    assert "field-error" not in cell(body, "t-urgent-resolution")
    assert not SlaPolicy.objects.exists()


def test_an_escalation_to_a_deleted_group_is_refused_on_its_row(as_admin: Client) -> None:
    gone = make_group("Old tier")
    update_group(SYSTEM, group_id=gone.pk, changes={"is_active": False})
    levels = escalation(gone.pk)
    response = as_admin.post(reverse(NEW), policy(**levels))
    assert response.status_code == 422
    body = response.content.decode()
    assert "field-error" in row(body, "esc-0")
    assert not SlaPolicy.objects.exists()


def test_a_bad_condition_is_refused_on_its_row(as_admin: Client) -> None:
    response = as_admin.post(reverse(NEW), policy(**{"cond-0-operator": "any"}))
    assert response.status_code == 422
    assert "Operator any does not fit priority" in row(response.content.decode(), "cond-0")
    assert not SlaPolicy.objects.exists()


def test_order_moves_and_delete(as_admin: Client) -> None:
    first = create_policy(SYSTEM, name="First", order=10, targets=[])
    create_policy(SYSTEM, name="Second", order=20, targets=[])
    as_admin.post(reverse("settings-sla-move", args=[first.pk]), {"up": "0"})
    assert [p.name for p in SlaPolicy.objects.order_by("order", "id")] == ["Second", "First"]
    page = as_admin.get(reverse("settings-sla")).content.decode()
    assert page.index(">Second<") < page.index(">First<")
    as_admin.post(reverse("settings-sla-delete", args=[first.pk]))
    assert [p.name for p in SlaPolicy.objects.all()] == ["Second"]


def test_editing_saves_changes(as_admin: Client) -> None:
    saved = create_policy(SYSTEM, name="Std", targets=[])
    url = reverse("settings-sla-policy", args=[saved.pk])
    response = as_admin.post(url, policy("Standard", **{"is_active": ""}))
    assert response.status_code == 302
    saved.refresh_from_db()
    assert (saved.name, saved.is_active, saved.targets.count()) == ("Standard", False, 2)


def test_pages_render_in_spanish_and_refuse_agents() -> None:
    client = Client()
    client.force_login(make_admin(locale="es"))
    saved = create_policy(SYSTEM, name="Std", targets=[])
    for url in (
        reverse("settings-sla"),
        reverse(NEW),
        reverse("settings-sla-policy", args=[saved.pk]),
    ):
        body = client.get(url).content.decode()
        assert 'lang="es"' in body and "Configuración" in body
    agent = Client()
    agent.force_login(make_agent())
    assert agent.get(reverse("settings-sla")).status_code == 403
    assert agent.post(reverse(NEW), policy("Agent's")).status_code == 403
    assert not SlaPolicy.objects.filter(name="Agent's").exists()


def test_a_level_with_several_actions_keeps_them_all_when_edited(as_admin: Client) -> None:
    tier2 = make_group("Tier 2")
    saved = create_policy(
        SYSTEM,
        name="Std",
        targets=[{"priority": "high", "kind": "first_reply", "minutes": 60}],
        escalations=[
            {"kind": "first_reply", "level": 1, "minutes": 0, "actions": [
                {"type": "set_group", "value": tier2.pk},
                {"type": "add_tags", "value": ["escalado"]},
            ]},
        ],
    )  # fmt: skip
    url = reverse("settings-sla-policy", args=[saved.pk])
    page = as_admin.get(url).content.decode()
    assert 'name="esc-1-value" value="escalado"' in page
    data = policy("Std", **{"esc-count": "3"})
    for index, (kind, value) in enumerate((("set_group", str(tier2.pk)), ("add_tags", "escalado"))):
        data.update({f"esc-{index}-kind": "first_reply", f"esc-{index}-level": "1",
                     f"esc-{index}-minutes": "0", f"esc-{index}-type": kind,
                     f"esc-{index}-value": value})  # fmt: skip
    assert as_admin.post(url, data).status_code == 302
    (level,) = saved.escalations.all()
    assert level.actions == [
        {"type": "set_group", "value": tier2.pk},
        {"type": "add_tags", "value": ["escalado"]},
    ]


def test_an_error_in_a_second_action_lands_on_its_row(as_admin: Client) -> None:
    data = policy(**{"esc-count": "3"})
    for index, (kind, value) in enumerate((("add_tags", "a"), ("set_type", "nonsense"))):
        data.update({f"esc-{index}-kind": "first_reply", f"esc-{index}-level": "1",
                     f"esc-{index}-minutes": "0", f"esc-{index}-type": kind,
                     f"esc-{index}-value": value})  # fmt: skip
    body = as_admin.post(reverse(NEW), data).content.decode()
    assert "field-error" not in row(body, "esc-0")
    assert "field-error" in row(body, "esc-1")
    assert not SlaPolicy.objects.exists()


def test_groups_may_be_typed_by_name(as_admin: Client) -> None:
    tier2 = make_group("Tier 2")
    data = policy(**{"cond-0-field": "group", "cond-0-value": "tier 2"}, **escalation(0))
    data["esc-0-value"] = "Tier 2"
    assert as_admin.post(reverse(NEW), data).status_code == 302
    saved = SlaPolicy.objects.get()
    assert saved.conditions == [{"field": "group", "op": "in", "value": [tier2.pk]}]
    assert saved.escalations.get().actions == [{"type": "set_group", "value": tier2.pk}]

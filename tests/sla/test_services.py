"""Calendar and policy services: what they store, who may call them, and every bad input
refused with the part named and nothing half-saved."""

from __future__ import annotations

from typing import Any

import pytest

from atiende.accounts.models import Group
from atiende.accounts.services.groups import create_group
from atiende.core.errors import Forbidden, Invalid
from atiende.sla import escalation
from atiende.sla.calendars import BusinessCalendar
from atiende.sla.models import Calendar, SlaEscalation, SlaPolicy, SlaTarget
from atiende.sla.selectors import active_policies, calendar_for_group
from atiende.sla.services.calendars import (
    create_calendar,
    delete_calendar,
    set_group_calendar,
    update_calendar,
)
from atiende.sla.services.policies import create_policy, delete_policy, update_policy
from tests.factories import SYSTEM, make_agent, web
from tests.sla.helpers import SPLIT, local, office, targets

pytestmark = pytest.mark.django_db


def parts(caught: pytest.ExceptionInfo[Invalid]) -> list[str]:
    return [error.field for error in caught.value.errors]


# --- calendars ----------------------------------------------------------------------------


def test_a_calendar_with_holidays_is_what_groups_and_the_default_use() -> None:
    calendar = office(
        holiday_country="cl",
        holidays=[
            {"date": "2026-12-07", "name": "Company day"},
            {"date": "2020-12-31", "yearly": True, "name": "New Year's Eve"},
        ],
    )
    assert calendar.holiday_country == "CL"
    business = calendar_for_group(None)
    assert business.time_zone == "America/Santiago"
    assert business.is_holiday(local(2026, 12, 7).date())  # single date
    assert business.is_holiday(local(2027, 12, 31).date())  # yearly
    assert business.is_holiday(local(2026, 12, 8).date())  # Chile's public holiday
    group = create_group(SYSTEM, name="Madrid")
    madrid = create_calendar(
        SYSTEM, name="Madrid", time_zone="Europe/Madrid", hours=SPLIT, holiday_country="ES"
    )
    set_group_calendar(SYSTEM, group_id=group.pk, calendar_id=madrid.pk)
    assert calendar_for_group(group.pk).time_zone == "Europe/Madrid"
    set_group_calendar(SYSTEM, group_id=group.pk, calendar_id=None)
    assert calendar_for_group(group.pk).time_zone == "America/Santiago"


def test_without_any_calendar_time_is_calendar_time() -> None:
    assert calendar_for_group(None) is BusinessCalendar.always_open()


def test_one_default_calendar_and_deleting_falls_back() -> None:
    first = office()
    second = create_calendar(SYSTEM, name="Second", time_zone="UTC", hours=SPLIT, is_default=True)
    assert list(Calendar.objects.filter(is_default=True)) == [second]
    assert calendar_for_group(None).time_zone == "UTC"
    delete_calendar(SYSTEM, calendar_id=second.pk)
    assert calendar_for_group(None) is BusinessCalendar.always_open()
    update_calendar(SYSTEM, calendar_id=first.pk, changes={"is_default": True})
    assert calendar_for_group(None).time_zone == "America/Santiago"


def test_only_admins_write_calendars() -> None:
    with pytest.raises(Forbidden):
        create_calendar(web(make_agent()), name="X", time_zone="UTC", hours=SPLIT)


@pytest.mark.parametrize(
    ("changes", "part"),
    [
        ({"hours": {"monday": [["09:00", "13:00"], ["12:30", "18:00"]]}}, "hours.monday[1]"),
        ({"hours": {}}, "hours"),
        ({"hours": {"friday": [["18:00", "09:00"]]}}, "hours.friday[0]"),
        ({"time_zone": "America/Springfield"}, "time_zone"),
        ({"holiday_country": "XX"}, "holidays.country"),
        ({"holidays": [{"date": "2026-02-30"}]}, "holidays[0].date"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_calendars_are_refused_naming_the_part(changes: dict[str, Any], part: str) -> None:
    calendar = office()
    with pytest.raises(Invalid) as caught:
        update_calendar(SYSTEM, calendar_id=calendar.pk, changes=changes)
    assert part in parts(caught)
    calendar.refresh_from_db()
    assert calendar.hours == SPLIT and calendar.time_zone == "America/Santiago"
    assert calendar.holidays.count() == 0
    with pytest.raises(Invalid) as caught:
        create_calendar(SYSTEM, **{"name": "New", "time_zone": "UTC", "hours": SPLIT, **changes})
    assert part in parts(caught)
    assert not Calendar.objects.filter(name="New").exists()


# --- policies -----------------------------------------------------------------------------


def test_a_policy_is_stored_whole_and_read_from_the_snapshot() -> None:
    tier2 = create_group(SYSTEM, name="Tier 2")
    policy = create_policy(
        SYSTEM,
        name="Gold",
        conditions=[
            {"field": "priority", "op": "in", "value": ["high", "urgent"]},
            {"field": "tags", "op": "any", "value": ["vip"]},
            {"field": "channel", "op": "not_in", "value": ["phone"]},
        ],
        targets=targets("high", first_reply=30, resolution=240),
        escalations=[
            {
                "kind": "resolution",
                "level": 1,
                "minutes": -30,
                "actions": [{"type": "notify", "to": "group"}],
            },
            {
                "kind": "resolution",
                "level": 2,
                "minutes": 0,
                "actions": [{"type": "set_group", "value": tier2.pk}],
            },
        ],
    )
    assert SlaTarget.objects.filter(policy=policy).count() == 2
    assert SlaEscalation.objects.filter(policy=policy).count() == 2
    [snapshot] = active_policies()
    assert snapshot.name == "Gold" and [lvl.level for lvl in snapshot.levels["resolution"]] == [
        1,
        2,
    ]
    update_policy(SYSTEM, policy_id=policy.pk, changes={"is_active": False})
    assert active_policies() == ()
    delete_policy(SYSTEM, policy_id=policy.pk)
    assert not SlaPolicy.objects.exists()


GOOD_TARGETS = targets("normal", first_reply=60)


@pytest.mark.parametrize(
    ("values", "part"),
    [
        ({"targets": targets("normal", first_reply=0)}, "targets[0].minutes"),
        ({"targets": targets("normal", resolution=-5)}, "targets[0].minutes"),
        (
            {"targets": [{"priority": "normal", "kind": "first_reply", "minutes": "60"}]},
            "targets[0].minutes",
        ),
        ({"targets": targets("critical", first_reply=60)}, "targets[0].priority"),
        ({"targets": [{"priority": "normal", "kind": "lunch", "minutes": 5}]}, "targets[0].kind"),
        (
            {"conditions": [{"field": "mood", "op": "in", "value": ["grumpy"]}]},
            "conditions[0].field",
        ),
        (
            {"conditions": [{"field": "priority", "op": "contains", "value": ["high"]}]},
            "conditions[0].op",
        ),
        (
            {"conditions": [{"field": "group", "op": "in", "value": "support"}]},
            "conditions[0].value",
        ),
        (
            {"conditions": [{"field": "priority", "op": "in", "value": ["high", "extreme"]}]},
            "conditions[0].value[1]",
        ),
        ({"conditions": [{"field": "tags", "op": "in", "value": ["vip"]}]}, "conditions[0].op"),
        (
            {"conditions": [{"field": "custom_field", "key": "nope", "op": "equals", "value": 1}]},
            "conditions[0].key",
        ),
        ({"conditions": {"field": "priority"}}, "conditions"),
        (
            {
                "escalations": [
                    {"kind": "resolution", "level": 5, "actions": [{"type": "add_tags"}]}
                ]
            },
            "escalations[0].level",
        ),
        (
            {"escalations": [{"kind": "resolution", "level": 1, "actions": []}]},
            "escalations[0].actions",
        ),
        (
            {"escalations": [{"kind": "resolution", "level": 1, "actions": [{"value": 1}]}]},
            "escalations[0].actions[0].type",
        ),
        (
            {
                "escalations": [
                    {
                        "kind": "resolution",
                        "level": 1,
                        "minutes": 30,
                        "actions": [{"type": "add_tags"}],
                    },
                    {
                        "kind": "resolution",
                        "level": 2,
                        "minutes": 10,
                        "actions": [{"type": "add_tags"}],
                    },
                ]
            },
            "escalations[1].minutes",
        ),
        ({"calendar_id": 999_999}, "calendar_id"),
        ({"warning_minutes": -1}, "warning_minutes"),
    ],
)
def test_bad_policies_are_refused_naming_the_part(values: dict[str, Any], part: str) -> None:
    with pytest.raises(Invalid) as caught:
        create_policy(SYSTEM, **{"name": "Bad", "targets": GOOD_TARGETS, **values})
    assert part in parts(caught)
    assert not SlaPolicy.objects.exists() and not SlaTarget.objects.exists()


def test_an_escalation_to_a_deleted_group_is_refused() -> None:
    gone = create_group(SYSTEM, name="Gone")
    gone_id = gone.pk
    Group.objects.filter(pk=gone_id).delete()  # no service deletes groups yet (the admin does)
    policy = create_policy(SYSTEM, name="Kept", targets=GOOD_TARGETS)
    level = {
        "kind": "first_reply",
        "level": 1,
        "actions": [{"type": "add_tags"}, {"type": "set_group", "value": gone_id}],
    }
    with pytest.raises(Invalid) as caught:
        update_policy(SYSTEM, policy_id=policy.pk, changes={"escalations": [level]})
    assert parts(caught) == ["escalations[0].actions[1].value"]
    assert not SlaEscalation.objects.exists()


def test_a_plugged_in_action_validator_checks_the_levels_actions() -> None:
    def validate(actions: list[dict[str, Any]], *, prefix: str) -> None:
        for index, action in enumerate(actions):
            if action["type"] != "notify":
                raise Invalid.field(f"{prefix}[{index}].type", "Unknown action")

    escalation.use_action_validator(validate)
    try:
        with pytest.raises(Invalid) as caught:
            create_policy(
                SYSTEM,
                name="Plugged",
                targets=GOOD_TARGETS,
                escalations=[{"kind": "first_reply", "level": 1, "actions": [{"type": "explode"}]}],
            )
    finally:
        escalation.use_action_validator(None)
    assert parts(caught) == ["escalations[0].actions[0].type"]


def test_only_admins_write_policies() -> None:
    with pytest.raises(Forbidden):
        create_policy(web(make_agent()), name="X", targets=GOOD_TARGETS)


def test_the_automation_registry_is_plugged_in_at_start_up() -> None:
    from atiende.automation.actions import validate_actions

    escalation.use_action_validator(validate_actions)  # as AutomationConfig.ready does
    with pytest.raises(Invalid) as caught:
        create_policy(
            SYSTEM,
            name="Registry",
            targets=GOOD_TARGETS,
            escalations=[{"kind": "first_reply", "level": 1, "actions": [{"type": "no_such"}]}],
        )
    assert parts(caught) == ["escalations[0].actions[0].type"]


def test_automation_plugs_its_validator_at_start_up() -> None:
    from django.apps import apps

    from atiende.automation.actions import validate_actions

    apps.get_app_config("automation").ready()
    assert escalation.action_validator() is validate_actions

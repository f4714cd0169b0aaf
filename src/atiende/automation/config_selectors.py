"""Reads of the automation configuration for settings screens and the API: triggers,
time-based rules, macros (as their author or a manager sees them) and group assignment."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from atiende.accounts.models import Group
from atiende.automation.models import GroupAssignment, Macro, Strategy, TimedRule, Trigger
from atiende.core.actor import Actor
from atiende.core.errors import NotFound
from atiende.core.pagination import Page, SortKey, paginate
from atiende.core.permissions import require_staff
from atiende.tickets.visibility import group_ids

BY_ORDER = SortKey("order", False, int)
BY_NAME = SortKey("name", False, str)


def list_triggers(actor: Actor, *, limit: int, cursor: str | None) -> Page[Trigger]:
    """Triggers in the order they run; staff read them (to know why a ticket changed)."""
    require_staff(actor)
    return paginate(Trigger.objects.all(), BY_ORDER, limit=limit, cursor=cursor)


def get_trigger(actor: Actor, trigger_id: int) -> Trigger:
    require_staff(actor)
    trigger = Trigger.objects.filter(pk=trigger_id).first()
    if trigger is None:
        raise NotFound(_("Trigger not found."))
    return trigger


def list_timed_rules(actor: Actor, *, limit: int, cursor: str | None) -> Page[TimedRule]:
    require_staff(actor)
    return paginate(TimedRule.objects.all(), BY_ORDER, limit=limit, cursor=cursor)


def get_timed_rule(actor: Actor, rule_id: int) -> TimedRule:
    require_staff(actor)
    rule = TimedRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("Time-based rule not found."))
    return rule


def visible_macros(actor: Actor) -> QuerySet[Macro]:
    """Macros as the workspace shows them, active or not: shared ones for everyone, shared ones
    of the agent's groups (admins: of any group) and the agent's own personal ones."""
    require_staff(actor)
    user = actor.user
    if user is None:
        return Macro.objects.filter(owner__isnull=True)
    shared = Q(owner__isnull=True)
    if not user.is_admin:
        shared &= Q(group__isnull=True) | Q(group_id__in=group_ids(user))
    return Macro.objects.filter(shared | Q(owner=user))


def list_macros(
    actor: Actor, *, q: str = "", active: bool | None = None, limit: int, cursor: str | None
) -> Page[Macro]:
    """By name; ``q`` matches the name or text, ``active`` keeps only (in)active ones."""
    macros = visible_macros(actor)
    if q.strip():
        macros = macros.filter(Q(name__icontains=q.strip()) | Q(body__icontains=q.strip()))
    if active is not None:
        macros = macros.filter(is_active=active)
    return paginate(macros, BY_NAME, limit=limit, cursor=cursor)


def get_visible_macro(actor: Actor, macro_id: int) -> Macro:
    macro = visible_macros(actor).filter(pk=macro_id).first()
    if macro is None:
        raise NotFound(_("Macro not found."))
    return macro


def group_assignment(actor: Actor, group_id: int) -> GroupAssignment:
    """The group's settings; a group never configured assigns manually (an unsaved row)."""
    require_staff(actor)
    if not Group.objects.filter(pk=group_id).exists():
        raise NotFound(_("Group not found."))
    found = GroupAssignment.objects.filter(pk=group_id).first()
    return (
        found if found is not None else GroupAssignment(group_id=group_id, strategy=Strategy.MANUAL)
    )


def action_vocabulary(actor: Actor) -> list[dict[str, str]]:
    """Every action type rules, macros and escalation levels may use, by name."""
    require_staff(actor)
    from atiende.automation.actions import action_types

    return [
        {"name": name, "label": str(kind.label)} for name, kind in sorted(action_types().items())
    ]


def condition_vocabulary(actor: Actor) -> dict[str, Any]:
    """The fields rules may test, each with its type, the operators that fit it and (for
    closed lists) its values; custom fields appear as ``custom.<key>``, ``customer.<key>``
    and ``organization.<key>``. SLA policies have their own, smaller vocabulary."""
    require_staff(actor)
    from atiende.automation.triggers import fields
    from atiende.sla import conditions as sla_conditions
    from atiende.tickets import config_cache

    found = list(fields.FIELDS.values())
    for owner, (_getter, target) in fields.CUSTOM_OWNERS.items():
        for custom in config_cache.custom_fields(target):
            field = fields.field_named(f"{owner}.{custom.key}")
            if field is not None:
                found.append(field)
    return {
        "trigger_fields": [
            {
                "name": f.name,
                "type": str(f.type),
                "operators": sorted(fields.OPERATORS[f.type]),
                "choices": sorted(f.choices()) if f.choices is not None else None,
            }
            for f in found
        ],
        "operators_without_value": sorted(fields.NO_VALUE),
        "sla_fields": [
            {"name": name, "operators": list(ops)} for name, ops in sla_conditions.OPERATORS.items()
        ],
    }

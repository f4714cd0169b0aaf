"""Rows of the conditions and actions editors turned into what the services take, and back.

Values are typed as text; each is converted by the field's or action's kind (an id, a number,
true/false, a comma-separated list). Anything that does not convert is passed on as typed,
so the service refuses it naming the row's part.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

from atiende.automation.actions import action_types
from atiende.automation.triggers.fields import FIELDS, OPERATORS, Type, field_named
from atiende.tickets import config_cache
from atiende.tickets.models import CustomFieldTarget
from atiende.web.setup.rows import RowEditor, id_or_name, id_or_text, joined, split_list
from atiende.web.setup.selectors import group_choices

CONDITION_NAMES = ("field", "operator", "value")
ACTION_NAMES = ("type", "target", "value", "extra")

OPERATOR_LABELS = {
    "is": _("is"),
    "is_not": _("is not"),
    "contains": _("contains"),
    "not_contains": _("does not contain"),
    "contains_words": _("contains the words"),
    "starts_with": _("starts with"),
    "present": _("is set"),
    "blank": _("is empty"),
    "changed": _("changed"),
    "changed_from": _("changed from"),
    "changed_to": _("changed to"),
    "gt": _("greater than"),
    "lt": _("less than"),
    "within_business_hours": _("within business hours"),
}

# Where an action's "target" and "value" inputs go, by action type.
TARGET_PARAM = {"set_field": "field", "notify": "to", "email": "to", "assign": "strategy"}
VALUE_PARAM = {"add_note": "body", "notify": "text", "apply_macro": "macro"}
ID_ACTIONS = frozenset({"set_group", "set_assignee", "set_category", "apply_macro"})
LIST_ACTIONS = frozenset({"add_tags", "remove_tags"})


def condition_fields() -> list[tuple[str, str]]:
    """Every field a rule can read, custom fields included."""
    names = list(FIELDS)
    for owner, target in (
        ("custom", CustomFieldTarget.TICKET),
        ("customer", CustomFieldTarget.USER),
        ("organization", CustomFieldTarget.ORGANIZATION),
    ):
        names += [f"{owner}.{c.key}" for c in config_cache.custom_fields(target)]
    return [(name, name) for name in names]


def operator_options() -> list[tuple[str, str, str]]:
    """(operator, label, the field types it fits) — the page hides those that do not fit."""
    options = []
    for name, label in OPERATOR_LABELS.items():
        types = " ".join(t.value for t, ops in OPERATORS.items() if name in ops)
        options.append((name, str(label), types))
    return options


def field_types() -> dict[str, str]:
    found = {name: field_named(name) for name, _label in condition_fields()}
    return {name: str(kind.type) for name, kind in found.items() if kind is not None}


def action_choices() -> list[tuple[str, str]]:
    return [(name, str(kind.label)) for name, kind in sorted(action_types().items())]


def _condition_value(field: str, operator: str, text: str) -> Any:
    found = field_named(field)
    if found is None or not text:
        return text or None
    if found.type in (Type.BOOL, Type.TIME):
        lowered = text.lower()
        return {"true": True, "yes": True, "sí": True, "false": False, "no": False}.get(
            lowered, text
        )
    if found.type == Type.NUMBER:
        try:
            return float(text) if "." in text else int(text)
        except ValueError:
            return text
    if found.type == Type.REF:
        choices = group_choices() if field == "group" else []
        items = [id_or_name(part, choices) for part in split_list(text)] or [None]
        return items if len(items) > 1 else items[0]
    if found.type == Type.DATE:
        return text
    items = split_list(text)
    return items if len(items) > 1 or found.type == Type.TAGS else text


def conditions_of(editors: Sequence[RowEditor]) -> dict[str, list[dict[str, Any]]]:
    """``{"all": [...], "any": [...]}`` from the two condition editors (all first)."""
    result: dict[str, list[dict[str, Any]]] = {}
    for editor, part in zip(editors, ("all", "any"), strict=True):
        items = []
        for row in editor.rows:
            item: dict[str, Any] = {"field": row["field"], "operator": row["operator"]}
            value = _condition_value(row["field"], row["operator"], row["value"])
            if value is not None:
                item["value"] = value
            items.append(item)
        result[part] = items
    return result


def condition_rows(conditions: Mapping[str, Any], part: str) -> list[dict[str, str]]:
    return [
        {"field": str(c.get("field", "")), "operator": str(c.get("operator", "")),
         "value": joined(c.get("value"))}
        for c in conditions.get(part, [])
        if isinstance(c, Mapping)
    ]  # fmt: skip


def _extra(text: str) -> dict[str, Any]:
    """The parameters a row has no input for (kept in a hidden one as JSON), so that editing
    an action here never drops them (an email's Spanish text, for one)."""
    try:
        found = json.loads(text) if text else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _shown(kind: str) -> set[str]:
    """The parameters of ``kind`` the row's inputs stand for."""
    if kind == "email":
        return {"type", "to", "subject_en", "body_en"}
    return {"type", TARGET_PARAM.get(kind, ""), VALUE_PARAM.get(kind, "value")} - {""}


def actions_of(editor: RowEditor) -> list[dict[str, Any]]:
    """The action list from the actions editor's rows."""
    actions = []
    for row in editor.rows:
        kind, target, text = row["type"], row["target"], row["value"]
        action: dict[str, Any] = {
            k: v for k, v in _extra(row.values.get("extra", "")).items() if k not in _shown(kind)
        }
        action["type"] = kind
        if kind in TARGET_PARAM and target:
            action[TARGET_PARAM[kind]] = target
        if kind == "email":
            subject, _newline, body = text.partition("\n")
            action.update({"subject_en": subject.strip(), "body_en": body.strip() or subject})
        elif kind == "assign":
            pass
        elif kind == "set_group":
            action["value"] = id_or_name(text, group_choices())
        elif kind in ID_ACTIONS:
            action[VALUE_PARAM.get(kind, "value")] = id_or_text(text)
        elif kind in LIST_ACTIONS:
            action["value"] = split_list(text)
        else:
            action[VALUE_PARAM.get(kind, "value")] = text
        actions.append(action)
    return actions


def action_rows(actions: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    rows = []
    for action in actions:
        kind = str(action.get("type", ""))
        if kind == "email":
            value = f"{action.get('subject_en', '')}\n{action.get('body_en', '')}"
        else:
            value = joined(action.get(VALUE_PARAM.get(kind, "value")))
        extra = {k: v for k, v in action.items() if k not in _shown(kind)}
        rows.append(
            {
                "type": kind,
                "target": joined(action.get(TARGET_PARAM.get(kind, ""))),
                "value": value,
                "extra": json.dumps(extra, ensure_ascii=False) if extra else "",
            }
        )
    return rows


def condition_editors() -> list[RowEditor]:
    return [
        RowEditor("all", "conditions.all", CONDITION_NAMES),
        RowEditor("any", "conditions.any", CONDITION_NAMES),
    ]


def actions_editor(path: str = "actions") -> RowEditor:
    return RowEditor("act", path, ACTION_NAMES)

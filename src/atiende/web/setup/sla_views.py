"""SLA policies in the settings: the ordered list (move up/down), create/edit with conditions,
targets per priority × kind, warning, calendar and escalation levels, delete."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from atiende.core.errors import AtiendeError, FieldError
from atiende.sla.models import SlaPolicy, TargetKind
from atiende.sla.services.policies import create_policy, delete_policy, move_policy, update_policy
from atiende.tickets import config_cache
from atiende.tickets.models import CustomFieldTarget
from atiende.web.common import actor
from atiende.web.setup import rules, selectors
from atiende.web.setup.common import page, settings_view
from atiende.web.setup.forms import set_choices
from atiende.web.setup.rows import RowEditor, id_or_name, id_or_text, joined, split_list
from atiende.web.setup.rule_pages import rule_page, save_rule

ESCALATION_NAMES = ("kind", "level", "minutes", "type", "target", "value", "extra")
CONDITION_OPERATORS = {
    "in": gettext_lazy("is one of"),
    "not_in": gettext_lazy("is none of"),
    "any": gettext_lazy("has any of"),
    "none": gettext_lazy("has none of"),
    "equals": gettext_lazy("equals"),
    "not_equals": gettext_lazy("does not equal"),
}
LIST_FIELDS = ("priority", "group", "organization", "customer", "channel", "type", "category")
ID_FIELDS = frozenset({"group", "organization", "customer", "category"})
FIELD_LABELS = {
    "priority": gettext_lazy("Priority"),
    "group": gettext_lazy("Group"),
    "organization": gettext_lazy("Organization (ids)"),
    "customer": gettext_lazy("Customer (ids)"),
    "channel": gettext_lazy("Channel"),
    "type": gettext_lazy("Type"),
    "category": gettext_lazy("Category (ids)"),
    "tags": gettext_lazy("Tags"),
}


class PolicyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=150)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    warning_minutes = forms.IntegerField(
        label=gettext_lazy("Warn this many minutes before a breach"), initial=30
    )
    calendar_id = forms.TypedChoiceField(
        label=gettext_lazy("Calendar"), coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        default = ("", _("The group's calendar, else the default one"))
        set_choices(self, "calendar_id", [default, *selectors.calendar_choices()])


@dataclass
class Cell:
    """One target: a priority × kind, typed as an amount in minutes or hours."""

    priority: str
    kind: str
    amount: str = ""
    unit: str = "minutes"
    business: bool = True
    errors: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"t-{self.priority}-{self.kind}"


@dataclass
class TargetGrid:
    priorities: list[tuple[str, str]]
    kinds: list[tuple[str, str]]
    cells: dict[tuple[str, str], Cell]
    sent: list[Cell] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[str, list[Cell]]]:
        return [
            (label, [self.cells[key, kind] for kind, _l in self.kinds])
            for key, label in self.priorities
        ]

    def read(self, data: QueryDict) -> None:
        for cell in self.cells.values():
            cell.amount = (data.get(f"{cell.name}-amount") or "").strip()
            cell.unit = "hours" if data.get(f"{cell.name}-unit") == "hours" else "minutes"
            cell.business = bool(data.get(f"{cell.name}-business"))

    def fill(self, policy: SlaPolicy) -> None:
        for target in policy.targets.all():
            cell = self.cells.get((target.priority.key, target.kind))
            if cell is None:
                continue
            hours = target.minutes % 60 == 0
            cell.amount = str(target.minutes // 60 if hours else target.minutes)
            cell.unit = "hours" if hours else "minutes"
            cell.business = target.business_hours

    def targets(self) -> list[dict[str, Any]]:
        """The filled cells as the service's targets, remembering which cell each came from."""
        self.sent = [cell for cell in self.cells.values() if cell.amount]
        result = []
        for cell in self.sent:
            amount: Any = id_or_text(cell.amount)
            if isinstance(amount, int) and cell.unit == "hours":
                amount *= 60
            result.append(
                {"priority": cell.priority, "kind": cell.kind, "minutes": amount,
                 "business_hours": cell.business}
            )  # fmt: skip
        return result

    def place(self, error: FieldError) -> bool:
        head = error.field.split(".")[0]
        if not head.startswith("targets[") or not head.endswith("]"):
            return False
        index = int(head[len("targets[") : -1])
        if index >= len(self.sent):
            return False
        self.sent[index].errors.append(str(error.message))
        return True


def target_grid() -> TargetGrid:
    priorities = [(p.key, p.name) for p in config_cache.priorities()]
    kinds = [(str(value), str(label)) for value, label in TargetKind.choices]
    cells = {(p, k): Cell(p, k) for p, _pl in priorities for k, _kl in kinds}
    return TargetGrid(priorities, kinds, cells)


class GridEditor(RowEditor):
    """Lets ``place_errors`` put ``targets[i]`` errors on the grid's cells."""

    def __init__(self, grid: TargetGrid) -> None:
        super().__init__("targets", "targets", ())
        self.grid = grid

    def place(self, error: FieldError) -> bool:
        return self.grid.place(error)


def condition_fields() -> list[tuple[str, str]]:
    fields = [(name, str(label)) for name, label in FIELD_LABELS.items()]
    custom = config_cache.custom_fields(CustomFieldTarget.TICKET)
    return fields + [(f"custom_field.{c.key}", f"{c.name} ({c.key})") for c in custom]


def field_types() -> dict[str, str]:
    """Each field's "type" is its own kind of operators: lists, tags or a custom field."""
    kinds = dict.fromkeys(LIST_FIELDS, "list") | {"tags": "tags"}
    for name, _label in condition_fields():
        kinds.setdefault(name, "custom")
    return kinds


def operator_options() -> list[tuple[str, str, str]]:
    fits = {"in": "list", "not_in": "list", "any": "tags", "none": "tags"}
    return [(op, str(label), fits.get(op, "custom")) for op, label in CONDITION_OPERATORS.items()]


def _clause(row_field: str, operator: str, text: str) -> dict[str, Any]:
    name, _dot, key = row_field.partition(".")
    clause: dict[str, Any] = {"field": name, "op": operator}
    if name == "custom_field":
        clause["key"] = key
        lowered = text.lower()
        value: Any = {"true": True, "false": False}.get(lowered, id_or_text(text))
        clause["value"] = "" if value is None else value
    elif name == "group":
        choices = selectors.group_choices()
        clause["value"] = [id_or_name(part, choices) for part in split_list(text)]
    elif name in ID_FIELDS:
        clause["value"] = [id_or_text(part) for part in split_list(text)]
    else:
        clause["value"] = split_list(text)
    return clause


def conditions_of(editor: RowEditor) -> list[dict[str, Any]]:
    return [_clause(row["field"], row["operator"], row["value"]) for row in editor.rows]


def condition_rows(conditions: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    rows = []
    for clause in conditions:
        name = str(clause.get("field", ""))
        if name == "custom_field":
            name = f"custom_field.{clause.get('key', '')}"
        rows.append(
            {
                "field": name,
                "operator": str(clause.get("op", "")),
                "value": joined(clause.get("value")),
            }
        )
    return rows


class EscalationEditor(RowEditor):
    """Escalation levels, one row per action: rows of the same target, level and minutes
    in a row make one level with several actions. ``escalations[1].actions[2]`` is put on
    the third row of the second level."""

    def __init__(self) -> None:
        super().__init__("esc", "escalations", ESCALATION_NAMES)
        self.starts: list[int] = []  # the first row of each level sent

    def levels(self) -> list[dict[str, Any]]:
        levels: list[dict[str, Any]] = []
        self.starts = []
        previous: tuple[str, str, str] | None = None
        for index, row in enumerate(self.rows):
            key = (row["kind"], row["level"], row["minutes"])
            action_row = RowEditor("", "", rules.ACTION_NAMES)
            action_row.fill([row.values])
            action = rules.actions_of(action_row)
            if key == previous and levels:
                levels[-1]["actions"] += action
                continue
            previous = key
            self.starts.append(index)
            levels.append(
                {"kind": row["kind"], "level": id_or_text(row["level"]),
                 "minutes": id_or_text(row["minutes"]) if row["minutes"] else 0,
                 "actions": action}
            )  # fmt: skip
        return levels

    def place(self, error: FieldError) -> bool:
        match = re.fullmatch(r"escalations\[(\d+)\](?:\.actions\[(\d+)\])?.*", error.field)
        if match is None or int(match.group(1)) >= len(self.starts):
            return False
        row = self.starts[int(match.group(1))] + int(match.group(2) or 0)
        self.rows[min(row, len(self.rows) - 1)].errors.append(str(error.message))
        return True


def escalation_rows(policy: SlaPolicy) -> list[dict[str, str]]:
    """One row per action of each level, the level's target, number and minutes repeated."""
    rows = []
    for level in policy.escalations.all():
        for action in rules.action_rows(level.actions):
            rows.append(
                {"kind": level.kind, "level": str(level.level), "minutes": str(level.minutes),
                 **action}
            )  # fmt: skip
    return rows


@settings_view
def policy_list(request: HttpRequest) -> HttpResponse:
    """The policies in the order they are tried: the first that matches a ticket applies."""
    context = {"section": "sla", "policies": selectors.sla_policies()}
    return page(request, "web/setup/sla_policies.html", context)


def _policy_page(request: HttpRequest, found: SlaPolicy | None) -> HttpResponse:
    initial = None
    if found is not None:
        initial = {
            "name": found.name,
            "is_active": found.is_active,
            "warning_minutes": found.warning_minutes,
            "calendar_id": found.calendar_id,
        }
    form = PolicyForm(request.POST or None, initial=initial)
    conditions = RowEditor("cond", "conditions", rules.CONDITION_NAMES)
    escalations = EscalationEditor()
    grid = target_grid()
    if request.method == "POST":
        conditions.read(request.POST)
        escalations.read(request.POST)
        grid.read(request.POST)
    elif found is not None:
        conditions.fill(condition_rows(found.conditions))
        escalations.fill(escalation_rows(found))
        grid.fill(found)

    def write(data: dict[str, Any]) -> object:
        definition = {
            **data,
            "conditions": conditions_of(conditions),
            "targets": grid.targets(),
            "escalations": escalations.levels(),
        }
        if found is None:
            return create_policy(actor(request), order=selectors.next_policy_order(), **definition)
        return update_policy(actor(request), policy_id=found.pk, changes=definition)

    editors = [conditions, escalations, GridEditor(grid)]
    done, to = _("SLA policy saved."), reverse("settings-sla")
    if saved := save_rule(request, form, editors, write, done=done, to=to):
        return saved
    context = {
        "section": "sla",
        "object": found,
        "conditions": conditions,
        "escalations": escalations,
        "grid": grid,
        "field_choices": condition_fields(),
        "field_types": field_types(),
        "operators": operator_options(),
        "action_choices": rules.action_choices(),
        "kinds": grid.kinds,
        "grid_errors": any(cell.errors for cell in grid.cells.values()),
    }
    response = rule_page(request, "web/setup/sla_policy.html", context, form=form, editors=editors)
    if context["grid_errors"]:
        response.status_code = 422
    return response


@settings_view
@require_http_methods(["GET", "POST"])
def policy_new(request: HttpRequest) -> HttpResponse:
    return _policy_page(request, None)


@settings_view
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, policy_id: int) -> HttpResponse:
    return _policy_page(request, selectors.get_sla_policy(policy_id))


@settings_view
@require_POST
def policy_move(request: HttpRequest, policy_id: int) -> HttpResponse:
    move_policy(actor(request), policy_id=policy_id, up=request.POST.get("up") == "1")
    return redirect("settings-sla")


@settings_view
@require_POST
def policy_delete(request: HttpRequest, policy_id: int) -> HttpResponse:
    try:
        delete_policy(actor(request), policy_id=policy_id)
    except AtiendeError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("SLA policy deleted."))
    return redirect("settings-sla")

"""The conditions and actions editors of the trigger and time-based automation pages: one
way to make them, read or fill them, turn them into a definition and show them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from atiende.automation.models import TimedRule, Trigger
from atiende.web.setup import rules
from atiende.web.setup.rows import RowEditor


@dataclass(frozen=True)
class RuleEditors:
    """The "all" and "any" condition editors and the actions editor of one rule."""

    all_rows: RowEditor
    any_rows: RowEditor
    actions: RowEditor

    @property
    def each(self) -> list[RowEditor]:
        return [self.all_rows, self.any_rows, self.actions]

    def definition(self) -> dict[str, Any]:
        """The rows as the services take them: ``conditions`` and ``actions``."""
        return {
            "conditions": rules.conditions_of([self.all_rows, self.any_rows]),
            "actions": rules.actions_of(self.actions),
        }

    def context(self) -> dict[str, Any]:
        """The editors and the choices their rows offer, for the page's template."""
        return {
            "all_rows": self.all_rows,
            "any_rows": self.any_rows,
            "actions": self.actions,
            "field_choices": rules.condition_fields(),
            "field_types": rules.field_types(),
            "operators": rules.operator_options(),
            "action_choices": rules.action_choices(),
        }


def rule_editors(request: HttpRequest, found: Trigger | TimedRule | None) -> RuleEditors:
    """The editors with the posted rows on a POST, else the saved rule's (none for a new one),
    so that a refused form comes back as it was typed."""
    all_rows, any_rows = rules.condition_editors()
    editors = RuleEditors(all_rows, any_rows, rules.actions_editor())
    if request.method == "POST":
        for editor in editors.each:
            editor.read(request.POST)
    elif found is not None:
        all_rows.fill(rules.condition_rows(found.conditions, "all"))
        any_rows.fill(rules.condition_rows(found.conditions, "any"))
        editors.actions.fill(rules.action_rows(found.actions))
    return editors

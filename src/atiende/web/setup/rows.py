"""The row editors the rule pages share: a list of rows (conditions, actions, escalation
levels) posted as ``<prefix>-<i>-<name>`` inputs, plus ``<prefix>-count``.

A blank row is always shown at the end (a way to add one without JavaScript); "Add a row"
posts the form back with one more blank row and saves nothing; a ticked ``remove`` drops its
row. A service's errors naming ``conditions.all[2].operator`` are put on row 2 of the editor
whose ``path`` is ``conditions.all``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from atiende.core.errors import AtiendeError, FieldError

MAX_ROWS = 100


@dataclass
class Row:
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> str:
        return self.values[name]  # a KeyError lets templates fall back to ``row.errors``


@dataclass
class RowEditor:
    """One editable list: ``prefix`` names its inputs, ``path`` the part services name."""

    prefix: str
    path: str
    names: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)

    @property
    def shown(self) -> list[Row]:
        """The rows with one blank row to fill in at the end."""
        return [*self.rows, Row(dict.fromkeys(self.names, ""))]

    @property
    def count(self) -> int:
        return len(self.rows) + 1

    def read(self, data: QueryDict) -> None:
        """The posted rows, without removed and blank ones; "Add a row" adds a blank one."""
        try:
            count = min(int(data.get(f"{self.prefix}-count") or 0), MAX_ROWS)
        except ValueError:
            count = 0
        rows = []
        for index in range(count):
            key = f"{self.prefix}-{index}-"
            if data.get(f"{key}remove"):
                continue
            values = {name: (data.get(f"{key}{name}") or "").strip() for name in self.names}
            if any(values.values()):
                rows.append(Row(values))
        if data.get("add_row") == self.prefix:
            rows.append(Row(dict.fromkeys(self.names, "")))
        self.rows = rows

    def fill(self, items: Iterable[Mapping[str, str]]) -> None:
        self.rows = [Row({name: str(item.get(name, "")) for name in self.names}) for item in items]

    def place(self, error: FieldError) -> bool:
        """Put ``error`` on the row it names; ``False`` when it names none of this editor's."""
        match = re.fullmatch(rf"{re.escape(self.path)}\[(\d+)\](?:[.\[].*)?", error.field)
        if match is None:
            return False
        index = int(match.group(1))
        if index >= len(self.rows):
            return False
        self.rows[index].errors.append(str(error.message))
        return True


def adding_row(data: QueryDict) -> bool:
    """The form was posted to add a row, not to save."""
    return bool(data.get("add_row"))


def place_errors(error: AtiendeError, editors: Sequence[RowEditor]) -> list[FieldError]:
    """Put each error on its row; return those that name no row (for the form's fields)."""
    left = []
    for item in error.errors:
        if not any(editor.place(item) for editor in editors):
            left.append(item)
    return left


def split_list(text: str) -> list[str]:
    """``"a, b"`` as ``["a", "b"]``: how lists are typed in one input."""
    return [part.strip() for part in text.split(",") if part.strip()]


def id_or_text(text: str) -> Any:
    """A whole number as an int, nothing as ``None``, anything else as typed (the service
    then names it as the wrong type)."""
    if not text or text.lower() in {"none", "null"}:
        return None
    return int(text) if text.lstrip("-").isdecimal() else text


def id_or_name(text: str, choices: list[tuple[int, str]]) -> Any:
    """Like ``id_or_text``, but a name among ``choices`` (case aside) gives its id: a group
    may be typed as "Tier 2" as well as its id."""
    found = id_or_text(text)
    if isinstance(found, str):
        by_name = {name.casefold(): pk for pk, name in choices}
        return by_name.get(found.casefold(), found)
    return found


def joined(value: Any) -> str:
    """A stored value as typed back into one input."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ", ".join(joined(v) for v in value)
    return str(value)

"""A form's fields as the templates draw them, and a submission as the service takes it."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.http import HttpRequest, QueryDict

from atiende.core.errors import AtiendeError
from atiende.intake.definitions import Field, shown
from atiende.intake.services import Upload
from atiende.intake.spam import HONEYPOT

# Inputs of the page that are no field of the form.
RESERVED = ("csrfmiddlewaretoken", "stamp", HONEYPOT, "form", "origin", "embedded")


def submitted(post: QueryDict, fields: Sequence[Field]) -> dict[str, Any]:
    """Every value the page sent (unknown names too: the service names them as errors)."""
    kinds = {f.key: f.kind for f in fields}
    data: dict[str, Any] = {}
    for key in post:
        if key in RESERVED:
            continue
        data[key] = post.getlist(key) if kinds.get(key) == "multiselect" else post.get(key, "")
    return data


def uploads(request: HttpRequest) -> list[Upload]:
    return [Upload(f.name or "attachment", f) for f in request.FILES.getlist("attachments")]


def errors_by_field(
    error: AtiendeError | None, fields: Sequence[Field]
) -> tuple[dict[str, list[str]], list[str]]:
    """A service error as messages per field, and the rest shown above the form (an error
    about a field the page does not draw, such as an unknown one, names it there)."""
    if error is None:
        return {}, []
    known = {f.key for f in fields}
    per_field: dict[str, list[str]] = {}
    general: list[str] = [] if error.errors else [str(error.detail)]
    for item in error.errors:
        if item.field in known:
            per_field.setdefault(item.field, []).append(str(item.message))
        else:
            general.append(f"{item.field}: {item.message}")
    return per_field, general


def drawn(
    fields: Sequence[Field],
    values: Mapping[str, Any],
    errors: Mapping[str, list[str]],
) -> list[dict[str, Any]]:
    """Each field with its value, its errors and whether it starts shown (the page's script
    then follows the visitor's choices with the same rule)."""
    visible = shown(fields, _typed(fields, values))
    drawn_fields = []
    for f in fields:
        value = values.get(f.key, "")
        chosen = value if isinstance(value, list) else [value]
        drawn_fields.append(
            {
                "key": f.key,
                "id": "f-" + f.key.replace(".", "-"),
                "kind": f.kind,
                "label": f.label,
                "help": f.help,
                "required": f.spec.required,
                "options": list(f.options),
                "value": "" if isinstance(value, list | bool) else str(value),
                "chosen": [str(c) for c in chosen],
                "checked": value is True or str(value).lower() in ("on", "true", "1"),
                "condition": json.dumps(f.spec.condition.as_dict()) if f.spec.condition else "",
                "shown": visible[f.key],
                "errors": errors.get(f.key, []),
            }
        )
    return drawn_fields


def _typed(fields: Sequence[Field], values: Mapping[str, Any]) -> dict[str, Any]:
    """Checkbox strings as booleans, for the first drawing's visibility only."""
    kinds = {f.key: f.kind for f in fields}
    result = dict(values)
    for key, value in values.items():
        if kinds.get(key) == "checkbox" and isinstance(value, str):
            result[key] = value.lower() in ("on", "true", "1")
    return result

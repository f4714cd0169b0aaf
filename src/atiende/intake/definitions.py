"""What a form's fields are and when each is shown: the definition checks and the condition
rule, shared by the services (the authority) and the pages (which mirror it in ``forms.js``).

A field's key is a built-in (``subject``, ``description``, ``attachments``, and for visitors
``name`` and ``email``) or a ticket custom field, ``custom_fields.<key>``. A condition names an
*earlier* field and the values that show this one: ``{"field": "custom_fields.product",
"values": ["printer"]}``. Conditions nest (C on B on A); a condition on a hidden field is false.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from atiende.core.errors import ErrorCollector, Invalid
from atiende.core.services import clean_name
from atiende.intake.models import Form, Prefill
from atiende.tickets.custom_fields import definitions as custom_definitions
from atiende.tickets.models import CustomField, CustomFieldTarget

CUSTOM_PREFIX = "custom_fields."
# Built-in fields: their input kind and default label.
BUILTINS: dict[str, tuple[str, Promise]] = {
    "subject": ("text", _("Subject")),
    "description": ("textarea", _("Description")),
    "attachments": ("file", _("Attachments")),
    "name": ("text", _("Your name")),
    "email": ("email", _("Your email address")),
}
VISITOR_ONLY = ("name", "email")
MAX_FIELDS = 60
MAX_CONDITION_VALUES = 50


@dataclass(frozen=True)
class Condition:
    field: str
    values: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "values": list(self.values)}


@dataclass(frozen=True)
class FieldSpec:
    """One field as an admin defines it (labels empty: the default label)."""

    key: str
    required: bool = False
    label_en: str = ""
    label_es: str = ""
    help_en: str = ""
    help_es: str = ""
    prefill: str = ""
    condition: Condition | None = None


@dataclass(frozen=True)
class Field:
    """A field ready to show and check: its kind, options and the labels in use."""

    spec: FieldSpec
    kind: str  # text, textarea, file, email, number, date, select, multiselect, checkbox
    options: tuple[str, ...] = ()
    default_en: str = ""
    default_es: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def label(self) -> str:
        es = (get_language() or "en")[:2] == "es"
        chosen = self.spec.label_es if es else self.spec.label_en
        return chosen or self.spec.label_en or (self.default_es if es else self.default_en)

    @property
    def help(self) -> str:
        es = (get_language() or "en")[:2] == "es"
        return (self.spec.help_es if es else self.spec.help_en) or self.spec.help_en

    @property
    def is_custom(self) -> bool:
        return self.key.startswith(CUSTOM_PREFIX)

    @property
    def custom_key(self) -> str:
        return self.key.removeprefix(CUSTOM_PREFIX)


def condition_from(raw: Any) -> Condition | None:
    """A condition from its stored or submitted form; ``ValueError`` when malformed."""
    if raw in (None, "", {}):
        return None
    if not isinstance(raw, Mapping) or set(raw) != {"field", "values"}:
        raise ValueError("shape")
    parent, values = raw["field"], raw["values"]
    if isinstance(values, str | int | float | bool):
        values = [values]
    if not isinstance(parent, str) or not isinstance(values, list) or not values:
        raise ValueError("shape")
    if len(values) > MAX_CONDITION_VALUES:
        raise ValueError("shape")
    return Condition(parent, tuple(_as_text(v) for v in values))


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _resolve(spec: FieldSpec, custom: Mapping[str, CustomField]) -> Field | None:
    if spec.key in BUILTINS:
        kind, label = BUILTINS[spec.key]
        return Field(spec, kind, default_en=_english(label), default_es=_spanish(label))
    if spec.key.startswith(CUSTOM_PREFIX):
        definition = custom.get(spec.key.removeprefix(CUSTOM_PREFIX))
        if definition is None:
            return None
        return Field(
            spec,
            str(definition.type),
            options=tuple(str(o) for o in definition.options),
            default_en=definition.name_en,
            default_es=definition.name_es or definition.name_en,
        )
    return None


def _english(label: Promise) -> str:
    from django.utils import translation

    with translation.override("en"):
        return str(label)


def _spanish(label: Promise) -> str:
    from django.utils import translation

    with translation.override("es"):
        return str(label)


def resolve(specs: Sequence[FieldSpec]) -> list[Field]:
    """The fields of a stored form that still exist (a deactivated custom field drops out)."""
    custom = custom_definitions(CustomFieldTarget.TICKET)
    return [f for f in (_resolve(spec, custom) for spec in specs) if f is not None]


def check_definition(specs: Sequence[FieldSpec], *, public: bool) -> list[Field]:
    """Refuse a bad list of fields, naming each bad part as ``fields.<n>.<part>``.

    Unknown keys, a field twice, a condition on an unknown field, on the field itself or a
    cycle, on a later field, values a choice field cannot have; a public form needs ``email``.
    """
    custom = custom_definitions(CustomFieldTarget.TICKET)
    errors = ErrorCollector()
    if len(specs) > MAX_FIELDS:
        errors.add("fields", _("A form has at most %(max)d fields.") % {"max": MAX_FIELDS})
    resolved: list[Field] = []
    position = {}
    for index, spec in enumerate(specs):
        if spec.key in position:
            errors.add(f"fields.{index}.key", _("This field is already in the form."))
            continue
        found = _resolve(spec, custom)
        if found is None:
            errors.add(f"fields.{index}.key", _("Unknown field “%(key)s”.") % {"key": spec.key})
            continue
        position[spec.key] = index
        resolved.append(found)
    by_key = {f.key: f for f in resolved}
    for f in resolved:
        index = position[f.key]
        condition = f.spec.condition
        if condition is None:
            continue
        name = f"fields.{index}.condition"
        parent = by_key.get(condition.field)
        if condition.field == f.key or _in_cycle(f.key, by_key):
            errors.add(name, _("The conditions of this field form a cycle."))
        elif parent is None:
            errors.add(
                name,
                _("The condition names an unknown field “%(key)s”.") % {"key": condition.field},
            )
        elif position[parent.key] > index:
            errors.add(name, _("A condition may only depend on a field above it."))
        elif parent.kind == "file":
            errors.add(name, _("A condition cannot depend on attachments."))
        elif parent.options and not set(condition.values) <= set(parent.options):
            errors.add(
                name,
                _("Choose among the options of “%(key)s”: %(options)s.")
                % {"key": parent.key, "options": ", ".join(parent.options)},
            )
        elif parent.kind == "checkbox" and not set(condition.values) <= {"true", "false"}:
            errors.add(name, _("A checkbox is either true or false."))
    for f in resolved:
        if f.spec.prefill and f.kind not in ("text", "email", "textarea"):
            errors.add(
                f"fields.{position[f.key]}.prefill", _("Only text fields take a profile default.")
            )
    if public and "email" not in by_key:
        errors.add("fields", _("A public form needs the email field, to answer the visitor."))
    if public and "email" in by_key and by_key["email"].spec.condition is not None:
        errors.add(f"fields.{position['email']}.condition", _("The email field is always shown."))
    errors.raise_if_any()
    return resolved


def _in_cycle(start: str, by_key: Mapping[str, Field]) -> bool:
    """Whether following conditions from ``start`` comes back to it."""
    seen: set[str] = set()
    current = by_key.get(start)
    while current is not None and current.spec.condition is not None:
        parent = current.spec.condition.field
        if parent == start:
            return True
        if parent in seen:
            return False
        seen.add(parent)
        current = by_key.get(parent)
    return False


def matches(value: Any, wanted: Sequence[str]) -> bool:
    """Whether a field's value is one of ``wanted`` (any chosen one, for a multi-select)."""
    if value is None or value == "" or value == []:
        return False
    chosen = value if isinstance(value, list) else [value]
    return any(_as_text(v) in wanted for v in chosen)


def shown(fields: Sequence[Field], values: Mapping[str, Any]) -> dict[str, bool]:
    """Which fields are shown for these values: in order, a field whose condition's field is
    hidden is hidden too."""
    result: dict[str, bool] = {}
    for f in fields:
        condition = f.spec.condition
        if condition is None:
            result[f.key] = True
        else:
            result[f.key] = result.get(condition.field, False) and matches(
                values.get(condition.field), condition.values
            )
    return result


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value is False


def spec_from(raw: Any, index: int) -> FieldSpec:
    """A field's definition from plain data (the API, the settings page), or ``Invalid``
    naming ``fields.<index>.<part>``."""
    name = f"fields.{index}"
    if not isinstance(raw, Mapping):
        raise Invalid.field(name, _("Each field is an object with at least a key."))
    allowed = {"key", "required", "label_en", "label_es", "help_en", "help_es", "prefill",
               "condition"}  # fmt: skip
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise Invalid.field(f"{name}.{unknown[0]}", _("Unknown field."))
    key = raw.get("key")
    if not isinstance(key, str) or not key:
        raise Invalid.field(f"{name}.key", _("This field is required."))
    texts = {}
    for part, limit in (("label_en", 200), ("label_es", 200), ("help_en", 500), ("help_es", 500)):
        value = raw.get(part) or ""
        if not isinstance(value, str):
            raise Invalid.field(f"{name}.{part}", _("Expected text."))
        texts[part] = clean_name(value, f"{name}.{part}", max_length=limit, required=False)
    prefill = raw.get("prefill") or ""
    if prefill not in Prefill.values:
        raise Invalid.field(f"{name}.prefill", _("Unknown profile field."))
    required = raw.get("required", False)
    if not isinstance(required, bool):
        raise Invalid.field(f"{name}.required", _("Expected true or false."))
    try:
        condition = condition_from(raw.get("condition"))
    except ValueError:
        raise Invalid.field(
            f"{name}.condition",
            _('Write a condition as {"field": "<key of a field above>", "values": [...]}.'),
        ) from None
    return FieldSpec(key=key, required=required, prefill=prefill, condition=condition, **texts)


def specs_of(form: Form) -> list[FieldSpec]:
    return [
        FieldSpec(
            key=f.key,
            required=f.required,
            label_en=f.label_en,
            label_es=f.label_es,
            help_en=f.help_en,
            help_es=f.help_es,
            prefill=f.prefill,
            condition=condition_from(f.condition),
        )
        for f in form.fields.all()
    ]

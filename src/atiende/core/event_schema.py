"""Checking an event against its declaration, and reading one back from JSON.

The declarations in ``core.event_types`` are the schema: ``check_event`` walks each field's
type hint and checks the runtime value (an ``int`` is not a ``bool``, a tuple holds what it
says, a ``JSONValue`` is plain JSON all the way down), that ``source`` names a known door, and
that the event survives ``as_dict`` → JSON → ``event_from_dict`` unchanged. Tests run it on
every event the suite publishes (as Zulip's ``event_schema`` does); a reader of stored events
(an outbox row, a webhook replay) uses ``event_from_dict``.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from typing import Any

from atiende.core.actor import Source
from atiende.core.event_types import EVENT_TYPES, JSONValue, TicketUpdated
from atiende.core.events import as_dict

BY_NAME: dict[str, type] = {cls.__name__: cls for cls in EVENT_TYPES}


class EventSchemaError(TypeError):
    """An event does not match its declaration."""


def event_from_dict(data: dict[str, Any]) -> object:
    """The event ``as_dict`` gave, rebuilt from its (JSON-decoded) dict."""
    values = dict(data)
    name = values.pop("type", None)
    cls = BY_NAME.get(name) if isinstance(name, str) else None
    if cls is None:
        raise EventSchemaError(f"unknown event type {name!r}")
    return _build(cls, values)


def check_event(event: object) -> None:
    """Raise ``EventSchemaError`` unless ``event`` matches its declaration exactly."""
    cls = type(event)
    if cls not in EVENT_TYPES:
        raise EventSchemaError(f"{cls.__name__} is not declared in core.event_types")
    _check_fields(event, cls.__name__)
    source = getattr(event, "source", None)
    if source not in set(Source):
        raise EventSchemaError(f"{cls.__name__}.source {source!r} is not a Source value")
    if isinstance(event, TicketUpdated):
        named = tuple(dict.fromkeys(change.field for change in event.changes))
        if not event.changes or named != event.fields:
            raise EventSchemaError(
                f"TicketUpdated.fields {event.fields!r} do not match its changes {named!r}"
            )
    again = event_from_dict(json.loads(json.dumps(as_dict(event))))
    if again != event:
        raise EventSchemaError(f"{cls.__name__} changed in a JSON round trip: {again!r}")


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    """The resolved type hints of a declaration (resolved once per type)."""
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _check_fields(obj: object, path: str) -> None:
    hints = _hints(type(obj))
    for field in dataclasses.fields(obj):  # type: ignore[arg-type]  # checked by the callers
        value = getattr(obj, field.name)
        _check(value, hints[field.name], f"{path}.{field.name}")


def _check(value: Any, hint: Any, path: str) -> None:
    if hint is JSONValue:
        _check_json(value, path)
        return
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        errors = []
        for option in typing.get_args(hint):
            try:
                _check(value, option, path)
            except EventSchemaError as error:
                errors.append(str(error))
            else:
                return
        raise EventSchemaError("; ".join(errors))
    if origin is tuple:
        item_hint, ellipsis = typing.get_args(hint)
        if ellipsis is not Ellipsis or not isinstance(value, tuple):
            raise EventSchemaError(f"{path} must be a tuple, not {type(value).__name__}")
        for index, item in enumerate(value):
            _check(item, item_hint, f"{path}[{index}]")
        return
    if hint is type(None):
        if value is not None:
            raise EventSchemaError(f"{path} must be None, not {value!r}")
        return
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if type(value) is not hint:
            raise EventSchemaError(f"{path} must be a {hint.__name__}, not {value!r}")
        _check_fields(value, path)
        return
    if hint in (int, str, bool, float):
        # ``bool`` is an ``int`` in Python but not in a payload.
        if type(value) is not hint:
            raise EventSchemaError(f"{path} must be {hint.__name__}, not {value!r}")
        return
    raise EventSchemaError(f"{path}: the declared type {hint!r} is not allowed in events")


def _check_json(value: Any, path: str) -> None:
    if value is None or type(value) in (bool, int, float, str):
        return
    if type(value) is list:
        for index, item in enumerate(value):
            _check_json(item, f"{path}[{index}]")
        return
    if type(value) is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise EventSchemaError(f"{path} has a non-string key {key!r}")
            _check_json(item, f"{path}.{key}")
        return
    raise EventSchemaError(f"{path} must be a plain JSON value, not {type(value).__name__}")


def _build(cls: type, values: dict[str, Any]) -> object:
    hints = _hints(cls)
    names = {field.name for field in dataclasses.fields(cls)}
    unknown = set(values) - names
    if unknown:
        raise EventSchemaError(f"{cls.__name__} has no fields {sorted(unknown)}")
    return cls(**{name: _revive(value, hints[name]) for name, value in values.items()})


def _revive(value: Any, hint: Any) -> Any:
    """JSON turned tuples into lists and dataclasses into dicts; turn them back."""
    if hint is JSONValue:
        return value
    origin = typing.get_origin(hint)
    if origin is tuple and isinstance(value, list):
        item_hint = typing.get_args(hint)[0]
        return tuple(_revive(item, item_hint) for item in value)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type) and isinstance(value, dict):
        return _build(hint, value)
    return value

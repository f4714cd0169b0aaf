"""The error types every Atiende service raises.

Each carries a stable machine code, an HTTP status and a human title. The API renders them as
RFC 9457 problem documents in one place (``atiende.api.errors``); web views show them as form
errors. Missing and forbidden objects look the same to callers (``NotFound``) so existence is
never leaked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str | Promise

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": str(self.message)}


class AtiendeError(Exception):
    code: str = "error"
    status: int = 400
    title: str | Promise = _("Bad request")

    def __init__(
        self,
        detail: str | Promise | None = None,
        *,
        errors: list[FieldError] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.detail = detail if detail is not None else self.title
        self.errors = errors or []
        self.extra = extra or {}
        super().__init__(str(self.detail))


class BadRequest(AtiendeError):
    code = "bad_request"
    status = 400
    title = _("Bad request")


class Unauthenticated(AtiendeError):
    code = "unauthenticated"
    status = 401
    title = _("Authentication required")


class Forbidden(AtiendeError):
    code = "forbidden"
    status = 403
    title = _("Not allowed")


class NotFound(AtiendeError):
    code = "not_found"
    status = 404
    title = _("Not found")


class Conflict(AtiendeError):
    code = "conflict"
    status = 409
    title = _("Conflict")


class PayloadTooLarge(AtiendeError):
    code = "payload_too_large"
    status = 413
    title = _("Payload too large")


class Invalid(AtiendeError):
    code = "invalid"
    status = 422
    title = _("Invalid input")

    @classmethod
    def field(cls, name: str, message: str | Promise) -> Invalid:
        return cls(message, errors=[FieldError(name, message)])


@dataclass
class ErrorCollector:
    """Gathers field errors so a caller hears about every bad field at once."""

    errors: list[FieldError] = field(default_factory=list)

    def add(self, name: str, message: str | Promise) -> None:
        self.errors.append(FieldError(name, message))

    def raise_if_any(self) -> None:
        if self.errors:
            first = (
                self.errors[0].message if len(self.errors) == 1 else _("Some fields are invalid.")
            )
            raise Invalid(first, errors=list(self.errors))

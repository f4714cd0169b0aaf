"""Forms for the intake tests, built through the services."""

from __future__ import annotations

from typing import Any

from atiende.intake import services
from atiende.intake.definitions import FieldSpec
from atiende.intake.models import Form
from atiende.intake.spam import Guard
from atiende.tickets.services import config
from tests.factories import SYSTEM


def printer_fields() -> None:
    """Custom fields: product (select) → issue (select, printers only) → tray (number, jams
    only); plus a plain text field nobody's form asks for."""
    config.create_custom_field(
        SYSTEM, target="ticket", key="product", type="select", options=["printer", "laptop"],
        name_en="Product", name_es="Producto",
    )  # fmt: skip
    config.create_custom_field(
        SYSTEM, target="ticket", key="issue", type="select", options=["jam", "ink"],
        name_en="Issue", name_es="Problema",
    )  # fmt: skip
    config.create_custom_field(
        SYSTEM, target="ticket", key="tray", type="number", name_en="Tray", name_es="Bandeja"
    )
    config.create_custom_field(
        SYSTEM, target="ticket", key="internal_code", type="text", name_en="Internal code"
    )


def spec(key: str, *, when: tuple[str, list[str]] | None = None, **fields: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {"key": key, **fields}
    if when is not None:
        raw["condition"] = {"field": when[0], "values": when[1]}
    return raw


def specs(*raw: dict[str, Any]) -> list[FieldSpec]:
    return [services.spec_from(item, index) for index, item in enumerate(raw)]


PRINTER_FORM = (
    spec("subject", required=True),
    spec("description", required=True),
    spec("custom_fields.product", required=True),
    spec("custom_fields.issue", required=True, when=("custom_fields.product", ["printer"])),
    spec("custom_fields.tray", required=True, when=("custom_fields.issue", ["jam"])),
    spec("attachments"),
)


def printer_form(*, public: bool = False, **attrs: Any) -> Form:
    printer_fields()
    fields = list(PRINTER_FORM)
    if public:
        fields += [spec("name"), spec("email", required=True)]
    attrs.setdefault("slug", "printers")
    attrs.setdefault("name_en", "Printers")
    attrs.setdefault("name_es", "Impresoras")
    attrs.setdefault("audience", "public" if public else "customers")
    return services.create_form(SYSTEM, fields=specs(*fields), **attrs)


def guard(form: Form, *, honeypot: str = "", addr: str = "203.0.113.7") -> Guard:
    """A guard as a person's page sends it (the stamp made ``min_fill_seconds`` ago or more:
    callers move the clock)."""
    from atiende.intake.spam import make_stamp

    return Guard(stamp=make_stamp(form.pk), honeypot=honeypot, remote_addr=addr)

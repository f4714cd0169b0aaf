"""The writers of ticket forms (administrators): a form's settings and its fields in order,
checked as a whole (``intake.definitions.check_definition``). Submissions are
``intake.submissions``; both are re-exported here as the app's one service module."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from atiende.accounts.models import Group
from atiende.core.actor import Actor
from atiende.core.errors import ErrorCollector, Invalid, NotFound
from atiende.core.permissions import require_admin
from atiende.core.services import check_changes, clean_name, conflict, save_unique
from atiende.core.text import clean_text
from atiende.intake.definitions import FieldSpec, check_definition, spec_from, specs_of
from atiende.intake.models import Audience, Form, FormField
from atiende.intake.submissions import Upload, check_submission, form_for, prefilled, submit
from atiende.tickets.models import Priority, TicketType

SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]*")
ORIGIN_RE = re.compile(r"https?://[a-z0-9.-]+(:[0-9]{1,5})?")
FORM_FIELDS = {
    "slug", "name_en", "name_es", "intro_en", "intro_es", "active", "audience", "position",
    "group_id", "ticket_type", "priority", "language", "allowed_origins", "min_fill_seconds",
}  # fmt: skip
LANGUAGES = ("", "es", "en")


def _clean_attrs(attrs: dict[str, Any], form: Form) -> dict[str, Any]:
    errors = ErrorCollector()
    cleaned = dict(attrs)
    for name in ("name_en", "name_es"):
        if name in cleaned:
            cleaned[name] = clean_name(cleaned[name] or "", name, max_length=100, required=False)
    for name in ("intro_en", "intro_es"):
        if name in cleaned:
            cleaned[name] = clean_text(cleaned[name] or "").strip()[:5000]
    if "slug" in cleaned and not (
        isinstance(cleaned["slug"], str)
        and SLUG_RE.fullmatch(cleaned["slug"])
        and len(cleaned["slug"]) <= 60
    ):
        errors.add("slug", _("Use 1 to 60 lower-case letters, digits or '-'."))
    if cleaned.get("audience", form.audience) not in Audience.values:
        errors.add("audience", _("Unknown audience."))
    group_id = cleaned.get("group_id")
    if group_id is not None and not Group.objects.filter(pk=group_id).exists():
        errors.add("group_id", _("Unknown group."))
    ticket_type = cleaned.get("ticket_type") or ""
    if ticket_type and ticket_type not in TicketType.values:
        errors.add("ticket_type", _("Unknown ticket type."))
    priority = cleaned.get("priority") or ""
    if priority and not Priority.objects.filter(key=priority).exists():
        errors.add("priority", _("Unknown priority."))
    if cleaned.get("language", "") not in LANGUAGES:
        errors.add("language", _("Choose Spanish, English or the visitor's own language."))
    origins = cleaned.get("allowed_origins", [])
    if not isinstance(origins, list) or not all(
        isinstance(o, str) and ORIGIN_RE.fullmatch(o.strip().lower().rstrip("/")) for o in origins
    ):
        errors.add("allowed_origins", _("List sites as https://www.example.com, one per line."))
    else:
        cleaned["allowed_origins"] = [o.strip().lower().rstrip("/") for o in origins]
    seconds = cleaned.get("min_fill_seconds", 3)
    if not isinstance(seconds, int) or isinstance(seconds, bool) or not 0 <= seconds <= 600:
        errors.add("min_fill_seconds", _("Between 0 and 600 seconds."))
    position = cleaned.get("position", 0)
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        errors.add("position", _("A number from 0."))
    errors.raise_if_any()
    for name in ("ticket_type", "priority", "language"):
        if name in cleaned:
            cleaned[name] = cleaned[name] or ""
    name_en = cleaned.get("name_en", form.name_en)
    name_es = cleaned.get("name_es", form.name_es)
    if not name_en and not name_es:
        raise Invalid.field("name_en", _("Name the form in at least one language."))
    if not name_en:
        cleaned["name_en"] = name_es
    return cleaned


def _write_fields(form: Form, specs: Sequence[FieldSpec]) -> None:
    form.fields.all().delete()
    FormField.objects.bulk_create(
        FormField(
            form=form,
            key=spec.key,
            position=index,
            label_en=spec.label_en,
            label_es=spec.label_es,
            help_en=spec.help_en,
            help_es=spec.help_es,
            required=spec.required,
            prefill=spec.prefill,
            condition=spec.condition.as_dict() if spec.condition else None,
        )
        for index, spec in enumerate(specs)
    )


def _slug_taken() -> str:
    return _("This slug is already in use.")


@transaction.atomic
def create_form(actor: Actor, *, fields: Sequence[FieldSpec], **attrs: Any) -> Form:
    """Create a form with its fields in order (admins)."""
    require_admin(actor)
    check_changes(attrs, allowed=FORM_FIELDS, nullable={"group_id"})
    if "slug" not in attrs:
        raise Invalid.field("slug", _("This field is required."))
    form = Form()
    cleaned = _clean_attrs(attrs, form)
    check_definition(fields, public=cleaned.get("audience", form.audience) == Audience.PUBLIC)
    if Form.objects.filter(slug=cleaned["slug"]).exists():
        raise conflict("slug", _slug_taken())
    for name, value in cleaned.items():
        setattr(form, name, value)
    save_unique(form, field="slug", message=_slug_taken())
    _write_fields(form, fields)
    return form


@transaction.atomic
def update_form(
    actor: Actor,
    *,
    form_id: int,
    changes: dict[str, Any],
    fields: Sequence[FieldSpec] | None = None,
) -> Form:
    """Change a form's settings; ``fields`` (when given) replaces its fields in order."""
    require_admin(actor)
    form = Form.objects.select_for_update().filter(pk=form_id).first()
    if form is None:
        raise NotFound(_("Form not found."))
    check_changes(changes, allowed=FORM_FIELDS, nullable={"group_id"})
    cleaned = _clean_attrs(changes, form)
    if "slug" in cleaned and Form.objects.filter(slug=cleaned["slug"]).exclude(pk=form.pk).exists():
        raise conflict("slug", _slug_taken())
    public = cleaned.get("audience", form.audience) == Audience.PUBLIC
    check_definition(fields if fields is not None else specs_of(form), public=public)
    for name, value in cleaned.items():
        setattr(form, name, value)
    save_unique(form, field="slug", message=_slug_taken())
    if fields is not None:
        _write_fields(form, fields)
    return form


@transaction.atomic
def delete_form(actor: Actor, *, form_id: int) -> None:
    require_admin(actor)
    deleted, _count = Form.objects.filter(pk=form_id).delete()
    if not deleted:
        raise NotFound(_("Form not found."))


__all__ = [
    "Upload",
    "check_submission",
    "create_form",
    "delete_form",
    "form_for",
    "prefilled",
    "spec_from",
    "specs_of",
    "submit",
    "update_form",
]

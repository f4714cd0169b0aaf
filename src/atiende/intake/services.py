"""The writers of ticket forms (admins) and the one way a form is submitted (``submit``).

A submission is checked field by field against the form (the same condition rule the page
runs in the browser, ``intake.definitions``), then the ticket is opened through
``tickets.services`` by the form itself acting at the web door
(``Actor(user=None, source=WEB, detail="form:<slug>")``): the form, not the customer, sets
the group, type and priority its admin chose, and the customer's input reaches the ticket only
through the form's own fields. The acknowledgement is the form's (``intake.acknowledgement``),
so the generic "ticket received" mail is not sent as well.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from atiende.accounts.models import Group, User
from atiende.accounts.services import find_or_create_customer
from atiende.core.actor import Actor, Source
from atiende.core.errors import (
    AtiendeError,
    ErrorCollector,
    FieldError,
    Forbidden,
    Invalid,
    NotFound,
)
from atiende.core.permissions import require_admin
from atiende.core.services import check_changes, clean_name, conflict, save_unique
from atiende.core.text import clean_text
from atiende.intake import acknowledgement, spam
from atiende.intake.definitions import (
    VISITOR_ONLY,
    Field,
    FieldSpec,
    check_definition,
    condition_from,
    is_empty,
    resolve,
    shown,
)
from atiende.intake.models import Audience, Form, FormField, Prefill
from atiende.tickets import services as tickets
from atiende.tickets.custom_fields import clean_custom_field_value
from atiende.tickets.models import Channel, CustomFieldTarget, Priority, Ticket, TicketType
from atiende.tickets.services.attachments import Readable, StoredFile, attach_file, write_file
from atiende.tickets.services.intake import attach_to_message

SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]*")
ORIGIN_RE = re.compile(r"https?://[a-z0-9.-]+(:[0-9]{1,5})?")
FORM_FIELDS = {
    "slug", "name_en", "name_es", "intro_en", "intro_es", "active", "audience", "position",
    "group_id", "ticket_type", "priority", "language", "allowed_origins", "min_fill_seconds",
}  # fmt: skip
LANGUAGES = ("", "es", "en")
MAX_FILES = 10
MAX_TEXT = 10_000
MAX_SUBJECT = 255
TRUE = ("1", "true", "on", "yes")


# --- definitions --------------------------------------------------------------------------


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


# --- submissions --------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    filename: str
    stream: Readable


def form_for(actor: Actor, *, form_id: int) -> tuple[Form, list[Field]]:
    """An active form this actor may fill, with the fields they see (signed-in people do not
    give a name and an address: their profile's are used)."""
    form = Form.objects.filter(pk=form_id, active=True).first()
    if form is None:
        raise NotFound(_("Form not found."))
    if actor.user is None and form.audience != Audience.PUBLIC:
        raise NotFound(_("Form not found."))
    fields = resolve(specs_of(form))
    if actor.user is not None:
        fields = [f for f in fields if f.key not in VISITOR_ONLY]
    return form, fields


def _parse(f: Field, raw: Any) -> Any:
    """The typed value of one field from what the web (strings) or the API (JSON) sent."""
    if f.kind == "checkbox" and isinstance(raw, str):
        return raw.strip().lower() in TRUE
    if f.kind == "multiselect" and isinstance(raw, str):
        raw = [raw] if raw else []
    if isinstance(raw, str) and f.kind in ("number", "date", "select"):
        raw = raw.strip()
        if not raw:
            return None
    if f.is_custom:
        return clean_custom_field_value(CustomFieldTarget.TICKET, f.custom_key, raw, name=f.key)
    if not isinstance(raw, str):
        raise Invalid.field(f.key, _("Expected text."))
    text = clean_text(raw).strip()
    limit = MAX_SUBJECT if f.key == "subject" else MAX_TEXT
    if len(text) > limit:
        raise Invalid.field(f.key, _("At most %(max)d characters.") % {"max": limit})
    return text


def check_submission(
    fields: Sequence[Field], data: Mapping[str, Any], *, file_count: int = 0
) -> dict[str, Any]:
    """The typed values of the shown fields, or ``Invalid`` with an error per field: an unknown
    field, a value of the wrong type, a field sent while its condition is false, a required
    shown field left empty."""
    by_key = {f.key: f for f in fields}
    errors = ErrorCollector()
    values: dict[str, Any] = {}
    for key, raw in data.items():
        f = by_key.get(key)
        if f is None or f.kind == "file":
            errors.add(key, _("This form has no such field."))
            continue
        try:
            values[key] = _parse(f, raw)
        except Invalid as error:
            for item in error.errors:
                errors.add(key, item.message)
    if file_count:
        values["attachments"] = [True] * file_count
        if "attachments" not in by_key:
            errors.add("attachments", _("This form takes no attachments."))
    visible = shown(fields, values)
    bad = {e.field for e in errors.errors}
    for f in fields:
        if f.key in bad:
            continue
        if not visible[f.key] and not is_empty(values.get(f.key)):
            errors.add(f.key, _("This field does not apply to your other answers; leave it empty."))
        elif visible[f.key] and f.spec.required and is_empty(values.get(f.key)):
            errors.add(f.key, _("This field is required."))
    errors.raise_if_any()
    if file_count > MAX_FILES:
        raise Invalid.field("attachments", _("At most %(max)d files.") % {"max": MAX_FILES})
    return {k: v for k, v in values.items() if visible.get(k) and not is_empty(v)}


def _store_files(files: Sequence[Upload]) -> list[StoredFile]:
    stored = []
    for upload in files:
        try:
            stored.append(write_file(filename=upload.filename, stream=upload.stream))
        except AtiendeError as error:
            raise type(error)(
                error.detail,
                errors=[FieldError("attachments", f"{upload.filename}: {error.detail}")],
            ) from None
    return stored


def _language(form: Form, requester: User, language: str) -> str:
    from atiende.core.language import or_default

    return (
        form.language
        or (language[:2] if language[:2] in ("es", "en") else "")
        or or_default(requester.locale)
    )


def submit(
    actor: Actor,
    *,
    form_id: int,
    data: Mapping[str, Any],
    files: Sequence[Upload] = (),
    guard: spam.Guard | None = None,
    language: str = "",
    site_url: str = "",
) -> Ticket:
    """Check a submission and open its ticket; mail the acknowledgement after the commit.

    ``actor.user`` is the signed-in customer, or ``None`` for a visitor of the public form,
    who must come with a ``guard`` (honeypot, signed stamp, address) and an ``email``: the
    visitor is found or created as an unverified customer, as a sender of mail would be.
    ``language`` is the page's, ``site_url`` the origin the acknowledgement's link points to.
    """
    form, fields = form_for(actor, form_id=form_id)
    visitor = actor.user is None
    if visitor:
        if guard is None:
            raise Forbidden(_("Sign in to use this form."))
        spam.check_honeypot(guard.honeypot)
        spam.check_stamp(form.pk, guard.stamp, min_seconds=form.min_fill_seconds)
    values = check_submission(fields, data, file_count=len(files))
    channel = Actor(user=None, source=Source.WEB, detail=f"form:{form.slug}")
    if visitor:
        assert guard is not None
        email = str(values.get("email", ""))
        spam.check_rate(email, guard.remote_addr)
        requester = find_or_create_customer(
            channel,
            email=email,
            name=str(values.get("name", "")),
            field="email",
            text=str(values.get("description", "")),
            language=form.language or language[:2],
        )
        if not requester.is_active or requester.merged_into_id is not None:
            raise Invalid.field("email", _("This address cannot open requests here."))
    else:
        assert actor.user is not None
        requester = actor.user
    stored = _store_files(files)  # before the transaction: no lock held while writing files
    subject = str(values.get("subject") or form.name)[:MAX_SUBJECT]
    body = str(values.get("description") or "") or _("(Sent through the form “%(form)s”.)") % {
        "form": form.name
    }
    custom = {f.custom_key: values[f.key] for f in fields if f.is_custom and f.key in values}
    with transaction.atomic():
        ticket = tickets.open_ticket(
            channel,
            subject=subject,
            body=body,
            requester=requester,
            channel=Channel.WEB if visitor else Channel.PORTAL,
            group_id=form.group_id,
            type=form.ticket_type or None,
            priority=form.priority or None,
            custom_fields=custom,
            # The customer chose only what the form asks: its custom fields.
            customer_may_set=("custom_fields",),
        )
        if stored:
            ids = [attach_file(channel, ticket_id=ticket.pk, file=f).pk for f in stored]
            first = ticket.messages.order_by("pk").values_list("pk", flat=True).first()
            assert first is not None  # open_ticket writes the first message
            attach_to_message(channel, message_id=first, attachment_ids=ids)
        acknowledgement.promise(
            ticket, language=_language(form, requester, language), site_url=site_url
        )
    if visitor:
        assert guard is not None
        spam.count_submission(str(values.get("email", "")), guard.remote_addr)
    return ticket


def prefilled(fields: Sequence[Field], user: User | None) -> dict[str, Any]:
    """The defaults a signed-in customer's profile gives the form's fields."""
    if user is None:
        return {}
    profile = {
        Prefill.NAME: user.name,
        Prefill.EMAIL: user.email or "",
        Prefill.PHONE: user.phone,
        Prefill.ORGANIZATION: user.organization.name if user.organization is not None else "",
    }
    return {f.key: profile[Prefill(f.spec.prefill)] for f in fields if f.spec.prefill}

"""Submitting a form: every field checked against the form (the same condition rule the page
runs in the browser, ``intake.definitions``), then the ticket opened through
``tickets.services`` by the form itself acting at the web door
(``Actor(user=None, source=WEB, detail="form:<slug>")``): the form, not the customer, sets
the group, type and priority its admin chose, and the customer's input reaches the ticket only
through the form's own fields. The acknowledgement is the form's (``intake.acknowledgement``),
so the generic "ticket received" mail is not sent as well.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from atiende.accounts.models import User
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
from atiende.core.language import or_default
from atiende.core.text import clean_text
from atiende.intake import acknowledgement, spam
from atiende.intake.definitions import VISITOR_ONLY, Field, is_empty, resolve, shown, specs_of
from atiende.intake.models import Audience, Form, Prefill
from atiende.tickets import services as tickets
from atiende.tickets.custom_fields import clean_custom_field_value
from atiende.tickets.models import Channel, CustomFieldTarget, Ticket
from atiende.tickets.services.attachments import Readable, StoredFile, attach_file, write_file
from atiende.tickets.services.intake import attach_to_message

MAX_FILES = 10
MAX_TEXT = 10_000
MAX_SUBJECT = 255
TRUE = ("1", "true", "on", "yes")


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

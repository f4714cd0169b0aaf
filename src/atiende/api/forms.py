"""/forms: ticket forms. Anyone signed in reads the forms they may fill (labels in their
language, kinds, options, conditions) and submits one as themselves; administrators manage
them. Visitors have no API: they use the public web form, whose spam defences are a browser's
(an integrator opening tickets for others uses ``POST /tickets`` with a staff token)."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import Router, Schema, Status
from pydantic import Field, StringConstraints

from atiende.api import idempotency
from atiende.api.auth import actor
from atiende.api.schemas.common import BodyIn, Clean, Id, Key, Name, UpdateIn, errors
from atiende.api.writes import once
from atiende.core.errors import ErrorCollector, Invalid
from atiende.intake import selectors, services
from atiende.intake.acknowledgement import status_link
from atiende.intake.definitions import MAX_FIELDS, FieldSpec
from atiende.intake.models import Form

router = Router(tags=["forms"])

FieldKey = Annotated[str, Clean, StringConstraints(min_length=1, max_length=80)]
Value = Annotated[str, Clean, StringConstraints(max_length=200)]
Help = Annotated[str, Clean, StringConstraints(max_length=500)]
Intro = Annotated[str, Clean, StringConstraints(max_length=5000)]
Origin = Annotated[str, Clean, StringConstraints(max_length=200)]


class ConditionIn(BodyIn):
    """Show the field when the earlier field ``field`` has one of ``values``."""

    field: FieldKey
    values: list[Value] = Field(min_length=1, max_length=50)


class FormFieldIn(BodyIn):
    key: FieldKey
    required: bool = False
    label_en: Name = ""
    label_es: Name = ""
    help_en: Help = ""
    help_es: Help = ""
    prefill: Annotated[str, Clean, StringConstraints(max_length=16)] = ""
    condition: ConditionIn | None = None


class FormCreateIn(BodyIn):
    slug: Key
    name_en: Name = ""
    name_es: Name = ""
    intro_en: Intro = ""
    intro_es: Intro = ""
    active: bool = True
    audience: Annotated[str, Clean, StringConstraints(max_length=16)] = "customers"
    position: int = Field(default=0, ge=0, le=2**31 - 1)
    group_id: Id | None = None
    ticket_type: Annotated[str, Clean, StringConstraints(max_length=16)] = ""
    priority: Annotated[str, Clean, StringConstraints(max_length=40)] = ""
    language: Annotated[str, Clean, StringConstraints(max_length=8)] = ""
    allowed_origins: list[Origin] = Field(default_factory=list, max_length=50)
    min_fill_seconds: int = Field(default=3, ge=0, le=600)
    fields: list[FormFieldIn] = Field(default_factory=list, max_length=MAX_FIELDS)


class FormUpdateIn(UpdateIn):
    nullable = frozenset({"group_id"})

    slug: Key | None = None
    name_en: Name | None = None
    name_es: Name | None = None
    intro_en: Intro | None = None
    intro_es: Intro | None = None
    active: bool | None = None
    audience: Annotated[str, Clean, StringConstraints(max_length=16)] | None = None
    position: int | None = Field(default=None, ge=0, le=2**31 - 1)
    group_id: Id | None = None
    ticket_type: Annotated[str, Clean, StringConstraints(max_length=16)] | None = None
    priority: Annotated[str, Clean, StringConstraints(max_length=40)] | None = None
    language: Annotated[str, Clean, StringConstraints(max_length=8)] | None = None
    allowed_origins: list[Origin] | None = Field(default=None, max_length=50)
    min_fill_seconds: int | None = Field(default=None, ge=0, le=600)
    fields: list[FormFieldIn] | None = Field(default=None, max_length=MAX_FIELDS)


class ConditionOut(Schema):
    field: str
    values: list[str]


class FormFieldOut(Schema):
    key: str
    required: bool
    label_en: str
    label_es: str
    help_en: str
    help_es: str
    prefill: str
    condition: ConditionOut | None


class FormOut(Schema):
    """A form as its administrators define it."""

    id: int
    slug: str
    name_en: str
    name_es: str
    intro_en: str
    intro_es: str
    active: bool
    audience: str
    position: int
    group_id: int | None
    ticket_type: str
    priority: str
    language: str
    allowed_origins: list[str]
    min_fill_seconds: int
    fields: list[FormFieldOut]

    @staticmethod
    def resolve_fields(obj: Form) -> list[Any]:
        return list(obj.fields.all())


class PublicFieldOut(Schema):
    key: str
    kind: str
    label: str
    help: str
    required: bool
    options: list[str]
    condition: ConditionOut | None


class PublicFormOut(Schema):
    """A form as its fillers see it, labels in the request's language."""

    id: int
    slug: str
    name: str
    intro: str
    audience: str
    fields: list[PublicFieldOut]


class PublicFormList(Schema):
    items: list[PublicFormOut]


class SubmissionIn(BodyIn):
    """The answers by field key (``custom_fields.<key>`` for custom fields), typed as JSON:
    a number, ``true``/``false``, a list for a multi-select."""

    data: dict[Annotated[str, Clean, StringConstraints(max_length=100)], Any] = Field(
        max_length=100
    )


class SubmissionOut(Schema):
    ticket_id: int
    number: int
    status_url: str


def _specs(fields: list[FormFieldIn]) -> list[FieldSpec]:
    errors = ErrorCollector()
    specs = []
    for index, item in enumerate(fields):
        try:
            specs.append(services.spec_from(item.model_dump(), index))
        except Invalid as error:
            errors.errors.extend(error.errors)
    errors.raise_if_any()
    return specs


@router.get("", response={200: PublicFormList, **errors(403, 422)})
def list_forms(request: HttpRequest) -> dict[str, Any]:
    """The active forms you may fill, in their order, with their fields."""
    found = selectors.usable_forms(actor(request)).prefetch_related("fields")
    return {"items": [selectors.schema(f, selectors.fields_of(f)) for f in found]}


@router.post("", response={201: FormOut, **errors(403, 409, 422)})
def create_form(request: HttpRequest, payload: FormCreateIn) -> HttpResponse:
    """Create a form (administrators); a bad field names itself as ``fields.<n>.<part>``."""
    attrs = payload.model_dump(exclude={"fields"})
    specs = _specs(payload.fields)
    return once(request, 201, lambda c: services.create_form(c, fields=specs, **attrs), FormOut)


@router.get("/{form_id}", response={200: FormOut, **errors(403, 404, 422)})
def read_form(request: HttpRequest, form_id: Id) -> Any:
    """A form's definition (administrators)."""
    return selectors.get_form(actor(request), form_id)


@router.patch("/{form_id}", response={200: FormOut, **errors(403, 404, 409, 422)})
def update_form(request: HttpRequest, form_id: Id, payload: FormUpdateIn) -> Any:
    """Change the members sent; ``fields`` replaces the fields in order."""
    changes = payload.model_dump(exclude_unset=True, exclude={"fields"})
    specs = _specs(payload.fields) if payload.fields is not None else None
    caller = actor(request)
    services.update_form(caller, form_id=form_id, changes=changes, fields=specs)
    return selectors.get_form(caller, form_id)


@router.delete("/{form_id}", response={204: None, **errors(403, 404, 422)})
def delete_form(request: HttpRequest, form_id: Id) -> Status[None]:
    services.delete_form(actor(request), form_id=form_id)
    return Status(204, None)


@router.post("/{form_id}/submissions", response={201: SubmissionOut, **errors(403, 404, 422)})
def submit(request: HttpRequest, form_id: Id, payload: SubmissionIn) -> HttpResponse:
    """Fill a form as yourself: 201 with the new ticket, or 422 with an error per field (an
    unknown field, a wrong type, a field sent while its condition is false, a required one
    missing). No attachments here: the web form takes files."""
    caller = actor(request)
    site = request.build_absolute_uri("/").rstrip("/")

    def handler() -> tuple[int, dict[str, Any]]:
        ticket = services.submit(
            caller,
            form_id=form_id,
            data=payload.data,
            language=get_language() or "",
            site_url=site,
        )
        link = status_link(site, ticket.pk)
        return 201, {"ticket_id": ticket.pk, "number": ticket.number, "status_url": link}

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler)

"""Reads of ticket forms: the forms a person may fill, a form's public schema, the admin
list, and the ticket a signed status link names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import NotFound
from atiende.core.permissions import require_admin
from atiende.intake import acknowledgement
from atiende.intake.definitions import Field, resolve
from atiende.intake.models import Audience, Form
from atiende.intake.services import specs_of
from atiende.tickets.models import StatusCategory, Ticket
from atiende.tickets.selectors import visible_tickets


def usable_forms(actor: Actor) -> QuerySet[Form]:
    """The active forms ``actor`` may fill: all for a signed-in person, public ones for a
    visitor (``actor.user is None``), in their admin's order."""
    forms = Form.objects.filter(active=True)
    if actor.user is None:
        forms = forms.filter(audience=Audience.PUBLIC)
    return forms.order_by("position", "id")


def usable_form(actor: Actor, *, slug: str) -> Form:
    form = usable_forms(actor).filter(slug=slug).first()
    if form is None:
        raise NotFound(_("Form not found."))
    return form


def fields_of(form: Form) -> list[Field]:
    return resolve(specs_of(form))


def schema(form: Form, fields: list[Field]) -> dict[str, Any]:
    """A form as its fillers see it: labels in the active language, kinds, options, conditions."""
    return {
        "id": form.pk,
        "slug": form.slug,
        "name": form.name,
        "intro": form.intro,
        "audience": form.audience,
        "fields": [
            {
                "key": f.key,
                "kind": f.kind,
                "label": f.label,
                "help": f.help,
                "required": f.spec.required,
                "options": list(f.options),
                "condition": f.spec.condition.as_dict() if f.spec.condition else None,
            }
            for f in fields
        ],
    }


def all_forms(actor: Actor) -> QuerySet[Form]:
    require_admin(actor)
    return (
        Form.objects.select_related("group").prefetch_related("fields").order_by("position", "id")
    )


def get_form(actor: Actor, form_id: int) -> Form:
    require_admin(actor)
    form = Form.objects.prefetch_related("fields").filter(pk=form_id).first()
    if form is None:
        raise NotFound(_("Form not found."))
    return form


@dataclass(frozen=True)
class TicketStatus:
    number: int
    subject: str
    status: str
    created_at: Any


def customer_status(category: str) -> str:
    """A status in words a customer understands."""
    words = {
        StatusCategory.NEW: _("Received"),
        StatusCategory.OPEN: _("In progress"),
        StatusCategory.PENDING: _("Waiting for your answer"),
        StatusCategory.ON_HOLD: _("In progress"),
        StatusCategory.SOLVED: _("Solved"),
        StatusCategory.CLOSED: _("Closed"),
        StatusCategory.CANCELLED: _("Closed"),
    }
    return str(words.get(StatusCategory(category), _("In progress")))


def status_by_link(token: str) -> TicketStatus:
    """The ticket a signed status link names (its number, subject and status only)."""
    ticket_id = acknowledgement.ticket_id_of(token)
    ticket: Ticket | None = None
    if ticket_id is not None:
        ticket = (
            visible_tickets(acknowledgement.READER)
            .select_related("status")
            .filter(pk=ticket_id, merged_into__isnull=True)
            .first()
        )
    if ticket is None:
        raise NotFound(_("This link is not valid."))
    return TicketStatus(
        number=ticket.number,
        subject=ticket.subject,
        status=customer_status(ticket.status.category),
        created_at=ticket.created_at,
    )

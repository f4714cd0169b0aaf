"""``add_note`` {"body": text}: an internal note on the ticket, written by the rule."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atiende.automation.actions.registry import ActionContext, Params, action
from atiende.core.errors import Invalid
from atiende.tickets import services as tickets

MAX_NOTE = 10_000


def _validate(params: Params) -> None:
    body = params.get("body")
    if not isinstance(body, str) or not body.strip() or len(body) > MAX_NOTE:
        raise Invalid.field(
            "body", _("The note must be 1 to %(max)d characters.") % {"max": MAX_NOTE}
        )


@action("add_note", label=gettext_lazy("Add an internal note"), validate=_validate)
def add_note(context: ActionContext, ticket_id: int, params: Params) -> None:
    context.notes.append(_("Add an internal note: %s") % params["body"][:80])
    tickets.add_message(context.actor, ticket_id=ticket_id, body=params["body"], public=False)

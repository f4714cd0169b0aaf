"""``notify`` {"to": "assignee"|"group"|"supervisor"|"user:<id>", "text"}: a workspace
notification (the bell), through the outbox like every notification."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atiende.automation.actions.recipients import check_target, staff_for
from atiende.automation.actions.registry import ActionContext, Params, action
from atiende.core.actor import Actor
from atiende.core.errors import ErrorCollector, Invalid
from atiende.notifications.models import Kind
from atiende.notifications.services import notify as notify_users
from atiende.outbox.registry import Delivery, handles
from atiende.outbox.services import enqueue
from atiende.tickets.selectors import get_ticket

READER = Actor.system("automation")
RULE_NOTIFICATION = "automation.rule_notification"
TARGETS = ("assignee", "group", "supervisor")
MAX_TEXT = 500


def _validate(params: Params) -> None:
    errors = ErrorCollector()
    try:
        check_target(params, TARGETS)
    except Invalid as invalid:
        errors.errors.extend(invalid.errors)
    text = params.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        errors.add("text", _("The text must be 1 to %(max)d characters.") % {"max": MAX_TEXT})
    errors.raise_if_any()


@action("notify", label=gettext_lazy("Notify in the workspace"), validate=_validate)
def notify(context: ActionContext, ticket_id: int, params: Params) -> None:
    ticket = get_ticket(READER, ticket_id)
    recipients = [user.pk for user in staff_for(ticket, str(params["to"]))]
    context.notes.append(
        _("Notify %(count)d people: %(text)s") % {"count": len(recipients), "text": params["text"]}
    )
    if recipients:
        enqueue(
            RULE_NOTIFICATION,
            payload={"ticket_id": ticket_id, "user_ids": recipients, "text": params["text"]},
        )


@handles(RULE_NOTIFICATION)
def deliver_rule_notification(effect: Delivery) -> None:
    notify_users(
        kind=Kind.RULE,
        ticket_id=effect.payload["ticket_id"],
        recipient_ids=effect.payload["user_ids"],
        actor_id=None,
        text=effect.payload["text"],
    )

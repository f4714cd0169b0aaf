"""``email`` {"to", "subject_en", "body_en", "subject_es", "body_es"}: mail from a template.

To the customer it is a public reply, written in the customer's language, so it joins the
conversation and is mailed like an agent's reply (``messaging``). To agents, a group or one
user it is an outbox effect per recipient, rendered in each recipient's language and sent
after the commit. Never to a customer whose latest mail was machine-generated (an
out-of-office answered by a rule is how two robots mail each other for ever).

Templates fill only a fixed set of placeholders (``{{ ticket.number }}``…): text an admin
wrote is never rendered as a Django template.
"""

from __future__ import annotations

import re

from django.core.mail import EmailMessage
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atiende.automation.actions.recipients import check_target, staff_for
from atiende.automation.actions.registry import ActionContext, Params, action
from atiende.core.actor import Actor
from atiende.core.errors import ErrorCollector, Invalid
from atiende.core.language import or_default
from atiende.messaging.outbound.queue import deliverable, is_own_address
from atiende.messaging.selectors import last_inbound_was_automatic
from atiende.outbox.registry import Delivery, handles
from atiende.outbox.services import enqueue
from atiende.tickets import services as tickets
from atiende.tickets.models import Ticket
from atiende.tickets.selectors import get_ticket

READER = Actor.system("automation")
RULE_MAIL = "automation.rule_mail"
TARGETS = ("customer", "assignee", "group")
LANGUAGES = ("en", "es")
MAX_SUBJECT = 255
MAX_BODY = 20_000
PLACEHOLDER = re.compile(r"{{\s*([\w.]+)\s*}}")
PLACEHOLDERS = ("ticket.number", "ticket.subject", "customer.name", "customer.email")


def _validate(params: Params) -> None:
    errors = ErrorCollector()
    try:
        check_target(params, TARGETS)
    except Invalid as invalid:
        errors.errors.extend(invalid.errors)
    bodies = 0
    for language in LANGUAGES:
        for part, limit in (("subject", MAX_SUBJECT), ("body", MAX_BODY)):
            name = f"{part}_{language}"
            text = params.get(name, "")
            if not isinstance(text, str) or len(text) > limit:
                errors.add(name, _("At most %(max)d characters of text.") % {"max": limit})
                continue
            unknown = [p for p in PLACEHOLDER.findall(text) if p not in PLACEHOLDERS]
            if unknown:
                errors.add(
                    name,
                    _("Unknown placeholder: %(name)s (use %(known)s).")
                    % {"name": unknown[0], "known": ", ".join(PLACEHOLDERS)},
                )
            bodies += part == "body" and bool(text.strip())
    if not bodies:
        errors.add("body_en", _("Write the message in English, Spanish or both."))
    errors.raise_if_any()


def fill(template: str, ticket: Ticket) -> str:
    """``template`` with its placeholders replaced by the ticket's values."""
    values = {
        "ticket.number": str(ticket.number),
        "ticket.subject": ticket.subject,
        "customer.name": ticket.requester.display_name,
        "customer.email": ticket.requester.email or "",
    }
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def in_language(params: Params, part: str, language: str) -> str:
    """The ``part`` of the template in ``language``, else in the other one."""
    order = [language, *(lang for lang in LANGUAGES if lang != language)]
    texts = (str(params.get(f"{part}_{lang}") or "") for lang in order)
    return next((text for text in texts if text.strip()), "")


def customer_language(ticket: Ticket) -> str:
    """The ticket's detected language, else the customer's chosen one, else the default."""
    detected = str(getattr(ticket, "language", "") or "")
    return or_default(detected or ticket.requester.locale)


@action("email", label=gettext_lazy("Send an email"), validate=_validate)
def email(context: ActionContext, ticket_id: int, params: Params) -> None:
    ticket = get_ticket(READER, ticket_id)
    if params["to"] == "customer":
        _to_customer(context, ticket, params)
    else:
        _to_staff(context, ticket, params)


def _to_customer(context: ActionContext, ticket: Ticket, params: Params) -> None:
    if last_inbound_was_automatic(ticket.pk):
        context.notes.append(_("No email: the customer's last mail was automatic."))
        return
    body = fill(in_language(params, "body", customer_language(ticket)), ticket)
    context.notes.append(_("Email the customer: %s") % body[:80])
    tickets.add_message(context.actor, ticket_id=ticket.pk, body=body, public=True)


def _to_staff(context: ActionContext, ticket: Ticket, params: Params) -> None:
    for user in staff_for(ticket, str(params["to"])):
        address = (user.email or "").strip()
        if not address or not deliverable(address) or is_own_address(address):
            continue
        language = or_default(user.locale)
        subject = fill(in_language(params, "subject", language), ticket) or (
            f"[#{ticket.number}] {ticket.subject}"
        )
        context.notes.append(_("Email %(to)s: %(subject)s") % {"to": address, "subject": subject})
        enqueue(
            RULE_MAIL,
            payload={
                "to": [address],
                "subject": subject[:MAX_SUBJECT],
                "body": fill(in_language(params, "body", language), ticket),
                "ticket_id": ticket.pk,
                "rule": context.actor.detail,
            },
        )


@handles(RULE_MAIL, atomic=False)
def send_rule_mail(effect: Delivery) -> None:
    """Send one rule's mail to an agent as it was rendered inside the change."""
    payload = effect.payload
    message = EmailMessage(
        str(payload["subject"]),
        str(payload["body"]),
        None,
        [str(a) for a in payload["to"]],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.send()

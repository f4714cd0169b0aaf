"""``apply_macro``: a rule or escalation level applies a shared macro.

For a rule, the macro's actions run in the rule's name, then its text, when not empty, is added
as a public reply (placeholders filled, no agent: ``{{ agent.name }}`` is empty), so "apply the
'we are looking into it' macro" both sets the fields and tells the customer. Only active shared
macros can be named: a personal macro is its owner's, not the rules'.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atiende.automation.actions.registry import ActionContext, Params, action, run_actions
from atiende.automation.models import Macro
from atiende.core.errors import Invalid
from atiende.tickets.placeholders import placeholder_values, render_placeholders
from atiende.tickets.selectors import get_ticket
from atiende.tickets.services import add_message


def _macro(params: Params) -> Macro:
    macro_id = params.get("macro")
    if isinstance(macro_id, bool) or not isinstance(macro_id, int):
        raise Invalid.field("macro", _("Expected a macro id (a whole number)."))
    macro = Macro.objects.filter(pk=macro_id, owner__isnull=True, is_active=True).first()
    if macro is None:
        raise Invalid.field("macro", _("Unknown macro, or not an active shared macro."))
    if any(a.get("type") == "apply_macro" for a in macro.actions):
        raise Invalid.field("macro", _("A macro cannot apply another macro."))
    return macro


def _validate(params: Params) -> None:
    _macro(params)


@action("apply_macro", label=gettext_lazy("Apply macro"), validate=_validate)
def apply_macro(context: ActionContext, ticket_id: int, params: Params) -> None:
    macro = _macro(params)
    if context.dry_run:
        context.notes.append(_("Would apply macro “%(name)s”.") % {"name": macro.name})
    run_actions(context, ticket_id, macro.actions)
    if macro.body and not context.dry_run:
        ticket = get_ticket(context.actor, ticket_id)
        body = render_placeholders(macro.body, placeholder_values(ticket, None))
        add_message(context.actor, ticket_id=ticket_id, body=body, public=True)

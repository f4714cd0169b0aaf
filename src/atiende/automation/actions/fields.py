"""Actions that set one of a ticket's fields: status, priority, group, assignee, type, category
and custom fields.

Each validator refuses what ``update_ticket`` would refuse later, naming the parameter
(``value`` or ``field``), so a rule or macro is refused when saved rather than failing when it
fires. Runners act on the ticket's latest state (``version=None``): a rule does not edit what a
person saw, it reacts to what is there now.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atiende.automation.actions.registry import ActionContext, Params, action
from atiende.core.errors import Invalid
from atiende.tickets import config_cache
from atiende.tickets.custom_fields import clean_custom_field_value, definitions
from atiende.tickets.errors import TicketNotFound
from atiende.tickets.models import CustomFieldTarget, Ticket, TicketType
from atiende.tickets.selectors import ticket_for_rules
from atiende.tickets.services import common as ticket_checks
from atiende.tickets.services import update_ticket


def _key(params: Params, name: str = "value") -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise Invalid.field(name, _("Expected a key (text)."))
    return value


def _optional_id(params: Params) -> int | None:
    """``value`` as an id, or ``None`` (clear the field); anything else is refused."""
    if "value" not in params:
        raise Invalid.field("value", _("This field is required."))
    value = params["value"]
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid.field("value", _("Expected an id (a whole number) or null."))
    return value


def _update(context: ActionContext, ticket_id: int, changes: dict[str, Any]) -> None:
    if context.dry_run:
        context.notes.append(_("Would set %(fields)s.") % {"fields": ", ".join(sorted(changes))})
        return
    update_ticket(context.actor, ticket_id=ticket_id, version=None, changes=changes)


def _validate_status(params: Params) -> None:
    ticket_checks.resolve_status(_key(params), field="value")


@action("set_status", label=gettext_lazy("Set status"), validate=_validate_status)
def set_status(context: ActionContext, ticket_id: int, params: Params) -> None:
    _update(context, ticket_id, {"status": params["value"]})


def _validate_priority(params: Params) -> None:
    ticket_checks.resolve_priority(_key(params), field="value")


def _plan_priority(ticket: Ticket, params: Params) -> dict[str, Any]:
    return {"priority": ticket_checks.resolve_priority(params["value"], field="value").key}


@action(
    "set_priority",
    label=gettext_lazy("Set priority"),
    validate=_validate_priority,
    plan=_plan_priority,
)
def set_priority(context: ActionContext, ticket_id: int, params: Params) -> None:
    _update(context, ticket_id, {"priority": params["value"]})


def _plan_raise_priority(ticket: Ticket, params: Params) -> dict[str, Any]:
    wanted = ticket_checks.resolve_priority(params["value"], field="value")
    return {} if _order(ticket.priority_id) >= wanted.order else {"priority": wanted.key}


def _order(priority_id: int) -> int:
    return {p.pk: p.order for p in config_cache.snapshot().priorities}.get(priority_id, 0)


@action(
    "raise_priority",
    label=gettext_lazy("Raise priority to at least"),
    validate=_validate_priority,
    plan=_plan_raise_priority,
)
def raise_priority(context: ActionContext, ticket_id: int, params: Params) -> None:
    """Raise to ``value`` only when the ticket is below it: a ticket already more urgent
    stays as it is (a keyword rule must not lower an urgent ticket to "high")."""
    ticket = ticket_for_rules(ticket_id)  # one prepared row: this runs on many new tickets
    if ticket is None:
        raise TicketNotFound()
    changes = _plan_raise_priority(ticket, params)
    if changes:
        _update(context, ticket_id, changes)


def _validate_group(params: Params) -> None:
    group_id = _optional_id(params)
    if group_id is not None:
        ticket_checks.resolve_group(group_id, field="value")


@action("set_group", label=gettext_lazy("Set group"), validate=_validate_group)
def set_group(context: ActionContext, ticket_id: int, params: Params) -> None:
    _update(context, ticket_id, {"group_id": params["value"]})


def _validate_assignee(params: Params) -> None:
    user_id = _optional_id(params)
    if user_id is not None:
        ticket_checks.resolve_assignee(user_id, None, field="value")


@action("set_assignee", label=gettext_lazy("Set assignee"), validate=_validate_assignee)
def set_assignee(context: ActionContext, ticket_id: int, params: Params) -> None:
    _update(context, ticket_id, {"assignee_id": params["value"]})


def _validate_type(params: Params) -> None:
    if params.get("value") not in TicketType.values:
        raise Invalid.field(
            "value",
            _("Unknown ticket type; choose one of: %(types)s.")
            % {"types": ", ".join(TicketType.values)},
        )


def _plan_type(ticket: Ticket, params: Params) -> dict[str, Any]:
    _validate_type(params)
    return {"type": params["value"]}


@action("set_type", label=gettext_lazy("Set type"), validate=_validate_type, plan=_plan_type)
def set_type(context: ActionContext, ticket_id: int, params: Params) -> None:
    _update(context, ticket_id, {"type": params["value"]})


def _validate_category(params: Params) -> None:
    category_id = _optional_id(params)
    if category_id is not None:
        ticket_checks.resolve_category(category_id, field="value")


def _plan_category(ticket: Ticket, params: Params) -> dict[str, Any]:
    _validate_category(params)
    return {"category_id": params["value"]}


@action(
    "set_category",
    label=gettext_lazy("Set category"),
    validate=_validate_category,
    plan=_plan_category,
)
def set_category(context: ActionContext, ticket_id: int, params: Params) -> None:
    _update(context, ticket_id, {"category_id": params["value"]})


def _validate_field(params: Params) -> None:
    key = _key(params, "field")
    if key not in definitions(CustomFieldTarget.TICKET):
        raise Invalid.field("field", _("Unknown custom field “%(key)s”.") % {"key": key})
    if "value" not in params:
        raise Invalid.field("value", _("This field is required."))
    clean_custom_field_value(CustomFieldTarget.TICKET, key, params["value"], name="value")


@action("set_field", label=gettext_lazy("Set custom field"), validate=_validate_field)
def set_field(context: ActionContext, ticket_id: int, params: Params) -> None:
    _update(context, ticket_id, {"custom_fields": {params["field"]: params["value"]}})

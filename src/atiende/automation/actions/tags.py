"""``add_tags`` / ``remove_tags`` {"value": [names]}: tags added or removed, the others kept."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atiende.automation.actions.registry import ActionContext, Params, action
from atiende.core.errors import Invalid
from atiende.tickets import services as tickets
from atiende.tickets.services.common import MAX_TAG_LENGTH, normalize_tag


def tag_names(value: Any) -> list[str]:
    """The tag names of ``value`` (a name or a list of names), normalised."""
    items = value if isinstance(value, list) else [value]
    names = [normalize_tag(v) for v in items if isinstance(v, str)]
    return [n for n in dict.fromkeys(names) if n]


def _validate(params: Params) -> None:
    value = params.get("value")
    items = value if isinstance(value, list) else [value]
    ok = bool(items) and all(
        isinstance(v, str)
        and normalize_tag(v)
        and len(normalize_tag(v)) <= MAX_TAG_LENGTH
        and "," not in v
        for v in items
    )
    if not ok:
        raise Invalid.field(
            "value",
            _("Give one or more tags of 1 to %(max)d characters without commas.")
            % {"max": MAX_TAG_LENGTH},
        )


@action("add_tags", label=gettext_lazy("Add tags"), validate=_validate)
def add_tags(context: ActionContext, ticket_id: int, params: Params) -> None:
    names = tag_names(params["value"])
    context.notes.append(_("Add tags: %s") % ", ".join(names))
    tickets.tag_ticket(context.actor, ticket_id=ticket_id, add=names)


@action("remove_tags", label=gettext_lazy("Remove tags"), validate=_validate)
def remove_tags(context: ActionContext, ticket_id: int, params: Params) -> None:
    names = tag_names(params["value"])
    context.notes.append(_("Remove tags: %s") % ", ".join(names))
    tickets.tag_ticket(context.actor, ticket_id=ticket_id, remove=names)

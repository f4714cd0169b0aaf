"""Writing and applying macros.

Shared macros (no owner) are the administrators'; any active agent keeps personal ones, which
nobody else sees or changes (administrators included: someone else's personal macro is "not
found"). A macro's text may only use known placeholders and its actions must be valid action
types (``automation.actions``): both are checked when saving, so a typo never reaches a
customer or fails when applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.accounts.models import Group
from atiende.automation.actions import ActionContext, run_actions, validate_actions
from atiende.automation.macros.selectors import get_macro
from atiende.automation.models import Macro, MacroUsage
from atiende.core.actor import Actor
from atiende.core.errors import ErrorCollector, FieldError, Forbidden, Invalid, NotFound
from atiende.core.permissions import is_admin, require_admin, require_staff
from atiende.core.services import check_changes, clean_name
from atiende.core.text import clean_text
from atiende.tickets.errors import StaleVersion
from atiende.tickets.placeholders import (
    PLACEHOLDERS,
    SPANISH,
    placeholder_values,
    render_placeholders,
    unknown_placeholders,
)
from atiende.tickets.selectors import get_ticket
from atiende.tickets.services.bulk import BulkResult, bulk_run

MAX_NAME = 200
MAX_BODY = 20_000
MAX_ACTIONS = 50
MACRO_FIELDS = {"name", "body", "actions", "group_id", "is_active"}
KNOWN_PLACEHOLDERS = (*PLACEHOLDERS, *SPANISH)
# Types a macro may not contain: applying a macro from a macro could loop.
NOT_IN_MACROS = frozenset({"apply_macro"})


def clean_body(body: str, errors: ErrorCollector, *, required: bool) -> str:
    """The text trimmed and checked: not too long, every placeholder known (named if not)."""
    text = clean_text(body or "").strip()
    if required and not text:
        errors.add("body", _("Enter a text or at least one action."))
    elif len(text) > MAX_BODY:
        errors.add("body", _("At most %(max)d characters.") % {"max": MAX_BODY})
    unknown = unknown_placeholders(text, KNOWN_PLACEHOLDERS)
    if unknown:
        errors.add(
            "body",
            _("Unknown placeholder: %(names)s. Known: %(known)s.")
            % {
                "names": ", ".join(f"{{{{ {name} }}}}" for name in unknown),
                "known": ", ".join(f"{{{{ {name} }}}}" for name in KNOWN_PLACEHOLDERS),
            },
        )
    return text


def clean_actions(actions: Any, errors: ErrorCollector) -> list[dict[str, Any]]:
    """A list of valid actions (``actions[i].<part>`` names what is wrong)."""
    if not isinstance(actions, list | tuple) or not all(isinstance(a, dict) for a in actions):
        errors.add("actions", _("Expected a list of actions."))
        return []
    if len(actions) > MAX_ACTIONS:
        errors.add("actions", _("At most %(max)d actions.") % {"max": MAX_ACTIONS})
        return []
    for index, params in enumerate(actions):
        if params.get("type") in NOT_IN_MACROS:
            errors.add(f"actions[{index}].type", _("A macro cannot apply another macro."))
    try:
        validate_actions(actions)
    except Invalid as invalid:
        errors.errors.extend(invalid.errors)
    return [dict(a) for a in actions]


def _clean(
    changes: dict[str, Any], *, owner_id: int | None, current: Macro | None
) -> dict[str, Any]:
    """Check every given field at once; the group must be active (and the owner's, if personal)."""
    errors = ErrorCollector()
    cleaned: dict[str, Any] = {}
    if "name" in changes:
        try:
            cleaned["name"] = clean_name(
                changes["name"] or "", "name", max_length=MAX_NAME, required=True
            )
        except Invalid as exc:
            errors.errors.extend(exc.errors)
    if "actions" in changes:
        cleaned["actions"] = clean_actions(changes["actions"], errors)
    if "body" in changes or "actions" in changes:
        actions = cleaned.get("actions", current.actions if current is not None else [])
        body = changes.get("body", current.body if current else "")
        cleaned["body"] = clean_body(body, errors, required=not actions)
    if "group_id" in changes:
        group_id = changes["group_id"]
        if group_id is not None:
            group = Group.objects.filter(pk=group_id, is_active=True).first()
            if group is None:
                errors.add("group_id", _("Unknown group."))
            elif owner_id is not None and not group.members.filter(pk=owner_id).exists():
                errors.add("group_id", _("You are not a member of this group."))
        cleaned["group_id"] = group_id
    if "is_active" in changes:
        if not isinstance(changes["is_active"], bool):
            errors.add("is_active", _("Expected true or false."))
        cleaned["is_active"] = changes["is_active"]
    errors.raise_if_any()
    return cleaned


def _require_author(actor: Actor, *, shared: bool) -> None:
    """Shared macros are the administrators'; any active agent keeps personal ones."""
    if shared:
        require_admin(actor)
        return
    require_staff(actor)
    if actor.user is None:
        raise Forbidden(_("Only a signed-in agent owns personal macros."))


def _lock(actor: Actor, macro_id: int) -> Macro:
    """The macro the actor may change: shared ones for admins, personal ones for the owner."""
    require_staff(actor)
    found = Macro.objects.select_for_update().filter(pk=macro_id).first()
    if found is None or (found.owner_id is not None and found.owner_id != actor.user_id):
        raise NotFound(_("Macro not found."))
    if found.owner_id is None and not is_admin(actor):
        raise Forbidden(_("Only administrators can change shared macros."))
    return found


@transaction.atomic
def create_macro(
    actor: Actor,
    *,
    name: str,
    body: str = "",
    actions: Sequence[dict[str, Any]] = (),
    shared: bool = False,
    group_id: int | None = None,
    is_active: bool = True,
) -> Macro:
    """A shared macro (admins) or a personal one owned by the acting agent."""
    _require_author(actor, shared=shared)
    owner_id = None if shared else actor.user_id
    cleaned = _clean(
        {
            "name": name,
            "body": body,
            "actions": list(actions),
            "group_id": group_id,
            "is_active": is_active,
        },
        owner_id=owner_id if actor.user is not None and not actor.user.is_admin else None,
        current=None,
    )
    return Macro.objects.create(owner_id=owner_id, **cleaned)


@transaction.atomic
def update_macro(actor: Actor, *, macro_id: int, changes: dict[str, Any]) -> Macro:
    """Change the given fields; unknown fields and ``null`` where not allowed are refused."""
    macro = _lock(actor, macro_id)
    check_changes(changes, allowed=MACRO_FIELDS, nullable={"group_id"})
    owner_id = macro.owner_id
    if owner_id is not None and actor.user is not None and actor.user.is_admin:
        owner_id = None  # administrators may file their own macros under any group
    cleaned = _clean(changes, owner_id=owner_id, current=macro)
    for name, value in cleaned.items():
        setattr(macro, name, value)
    if cleaned:
        fields = ["group" if name == "group_id" else name for name in cleaned]
        macro.save(update_fields=[*fields, "updated_at"])
    return macro


@transaction.atomic
def delete_macro(actor: Actor, *, macro_id: int) -> None:
    """Delete for good: no ticket refers to a macro (the history names it by id only)."""
    _lock(actor, macro_id).delete()


def macro_actor(actor: Actor, macro: Macro) -> Actor:
    """The applying agent, with the macro named in the history (``macro:<id>``)."""
    return Actor(user=actor.user, source=actor.source, detail=f"macro:{macro.pk}")


def _count_use(actor: Actor, macro: Macro) -> None:
    """One more use of ``macro`` by the acting agent (an F() update: concurrent uses add up)."""
    if actor.user is None:
        return
    now = timezone.now()
    usages = MacroUsage.objects.filter(macro=macro, agent=actor.user)
    if usages.update(count=F("count") + 1, last_used_at=now):
        return
    try:
        with transaction.atomic():
            MacroUsage.objects.create(macro=macro, agent=actor.user, count=1, last_used_at=now)
    except IntegrityError:  # another request created it meanwhile
        usages.update(count=F("count") + 1, last_used_at=now)


@transaction.atomic
def apply_macro(actor: Actor, *, ticket_id: int, macro_id: int, version: int | None) -> str:
    """Apply the macro's actions to the ticket and return its text filled in for the composer.

    ``version`` is the ticket version the agent saw (``None``: act on the latest); a stale one
    raises ``StaleVersion`` and nothing is applied. All actions apply, or none.
    """
    macro = get_macro(actor, macro_id)
    ticket = get_ticket(actor, ticket_id)
    if version is not None and version != ticket.version:
        raise StaleVersion(
            _("The ticket is at version %(current)d; you edited version %(yours)d.")
            % {"current": ticket.version, "yours": version},
            extra={"ticket": ticket},
        )
    run_actions(ActionContext(actor=macro_actor(actor, macro)), ticket.pk, macro.actions)
    _count_use(actor, macro)
    if not macro.body:
        return ""
    ticket = get_ticket(actor, ticket_id)
    return render_placeholders(macro.body, placeholder_values(ticket, actor.user))


def bulk_apply_macro(actor: Actor, *, ticket_ids: Sequence[int], macro_id: int) -> BulkResult:
    """Apply the macro's actions (not its text) to each ticket; each ticket on its own, every
    one reported. A macro without actions is refused: there would be nothing to do."""
    macro = get_macro(actor, macro_id)
    if not macro.actions:
        raise Invalid(
            _("This macro has no actions to apply to several tickets."),
            errors=[
                FieldError("macro", _("This macro has no actions to apply to several tickets."))
            ],
        )
    context = ActionContext(actor=macro_actor(actor, macro))

    def apply(ticket_id: int, version: int) -> bool:
        run_actions(context, ticket_id, macro.actions)
        return get_ticket(actor, ticket_id).version != version

    result = bulk_run(actor, ticket_ids=ticket_ids, operation=apply)
    if result.updated or result.unchanged:
        with transaction.atomic():
            _count_use(actor, macro)
    return result

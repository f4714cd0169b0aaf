"""Writes of canned responses: shared ones by administrators, personal ones by their owner.

A shared response (no owner) is for every agent, or only for one group's agents. A personal
response belongs to the agent who wrote it; nobody else sees or changes it, administrators
included, so someone else's personal response is simply "not found".
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from atiende.accounts.models import Group
from atiende.core.actor import Actor
from atiende.core.errors import ErrorCollector, Forbidden, Invalid, NotFound
from atiende.core.permissions import is_admin, require_admin, require_staff
from atiende.core.services import check_changes, clean_name
from atiende.core.text import clean_text
from atiende.tickets.models import CannedResponse

MAX_NAME = 200
MAX_BODY = 20_000
CANNED_FIELDS = {"name", "body", "group_id", "is_active"}


def _clean(changes: dict[str, Any], *, owner_id: int | None) -> dict[str, Any]:
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
    if "body" in changes:
        body = clean_text(changes["body"] or "").strip()
        if not body:
            errors.add("body", _("This field is required."))
        elif len(body) > MAX_BODY:
            errors.add("body", _("At most %(max)d characters.") % {"max": MAX_BODY})
        cleaned["body"] = body
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
    """Shared responses are the administrators'; any active agent keeps personal ones."""
    if shared:
        require_admin(actor)
        return
    require_staff(actor)
    if actor.user is None:
        raise Forbidden(_("Only a signed-in agent owns personal canned responses."))


def _lock(actor: Actor, response_id: int) -> CannedResponse:
    """The response the actor may change: shared ones for admins, personal ones for the owner."""
    require_staff(actor)
    found = CannedResponse.objects.select_for_update().filter(pk=response_id).first()
    if found is None or (found.owner_id is not None and found.owner_id != actor.user_id):
        raise NotFound(_("Canned response not found."))
    if found.owner_id is None and not is_admin(actor):
        raise Forbidden(_("Only administrators can change shared canned responses."))
    return found


@transaction.atomic
def create_canned_response(
    actor: Actor,
    *,
    name: str,
    body: str,
    shared: bool = False,
    group_id: int | None = None,
    is_active: bool = True,
) -> CannedResponse:
    """A shared response (admins) or a personal one owned by the acting agent."""
    _require_author(actor, shared=shared)
    owner_id = None if shared else actor.user_id
    cleaned = _clean(
        {"name": name, "body": body, "group_id": group_id, "is_active": is_active},
        owner_id=owner_id if actor.user is not None and not actor.user.is_admin else None,
    )
    return CannedResponse.objects.create(owner_id=owner_id, **cleaned)


@transaction.atomic
def update_canned_response(
    actor: Actor, *, response_id: int, changes: dict[str, Any]
) -> CannedResponse:
    """Change the given fields; unknown fields and ``null`` where not allowed are refused."""
    response = _lock(actor, response_id)
    check_changes(changes, allowed=CANNED_FIELDS, nullable={"group_id"})
    owner_id = response.owner_id
    if owner_id is not None and actor.user is not None and actor.user.is_admin:
        owner_id = None  # administrators may file their own responses under any group
    cleaned = _clean(changes, owner_id=owner_id)
    for name, value in cleaned.items():
        setattr(response, name, value)
    if cleaned:
        fields = ["group" if name == "group_id" else name for name in cleaned]
        response.save(update_fields=[*fields, "updated_at"])
    return response


@transaction.atomic
def delete_canned_response(actor: Actor, *, response_id: int) -> None:
    """Delete for good: a canned response is a template, no ticket refers to it."""
    _lock(actor, response_id).delete()

"""Groups: the teams agents work in and tickets are routed to."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from atiende.accounts.models import Group, Role, User, normalize_email
from atiende.core.actor import Actor
from atiende.core.errors import Invalid, NotFound
from atiende.core.permissions import require_admin
from atiende.core.services import check_changes, clean_name, conflict, save_unique
from atiende.core.text import clean_text

GROUP_FIELDS = {"name", "description", "email", "is_active", "member_ids"}


def _taken() -> str:
    return _("A group with this name already exists.")


def _name(value: str, group: Group | None) -> str:
    name = clean_name(value, "name", max_length=150, required=True)
    same = Group.objects.filter(name__iexact=name)
    if group is not None:
        same = same.exclude(pk=group.pk)
    if same.exists():
        raise conflict("name", _taken())
    return name


def _email(value: str) -> str:
    """The team's address, or empty."""
    address = normalize_email(clean_text(value)) or ""
    if address:
        try:
            validate_email(address)
        except ValidationError:
            raise Invalid.field("email", _("Enter a valid email address.")) from None
    return address


def _members(member_ids: Iterable[int]) -> list[User]:
    wanted = set(member_ids)
    users = list(User.objects.filter(pk__in=wanted, role__in=[Role.ADMIN, Role.AGENT]))
    missing = sorted(wanted - {u.pk for u in users})
    if missing:
        raise Invalid.field(
            "member_ids",
            _("Not agents or administrators: %(ids)s.")
            % {"ids": ", ".join(str(pk) for pk in missing)},
        )
    return users


@transaction.atomic
def create_group(
    actor: Actor,
    *,
    name: str,
    description: str = "",
    email: str = "",
    is_active: bool = True,
    member_ids: Iterable[int] = (),
) -> Group:
    require_admin(actor)
    group = Group(
        name=_name(name, None),
        description=clean_text(description),
        email=_email(email),
        is_active=is_active,
    )
    members = _members(member_ids)
    save_unique(group, field="name", message=_taken())
    group.members.set(members)
    return group


@transaction.atomic
def update_group(actor: Actor, *, group_id: int, changes: dict[str, Any]) -> Group:
    require_admin(actor)
    group = Group.objects.select_for_update().filter(pk=group_id).first()
    if group is None:
        raise NotFound(_("Group not found."))
    check_changes(changes, allowed=GROUP_FIELDS)
    updated: list[str] = []
    if "name" in changes:
        group.name = _name(changes["name"], group)
        updated.append("name")
    if "description" in changes:
        group.description = clean_text(changes["description"])
        updated.append("description")
    if "email" in changes:
        group.email = _email(changes["email"])
        updated.append("email")
    if "is_active" in changes:
        group.is_active = bool(changes["is_active"])
        updated.append("is_active")
    members = _members(changes["member_ids"]) if "member_ids" in changes else None
    if updated:
        save_unique(group, field="name", message=_taken(), update_fields=updated)
    if members is not None:
        group.members.set(members)
    return group

"""Checks and look-ups shared by the ticket services."""

from __future__ import annotations

import copy
from collections.abc import Iterable

from django.utils.translation import gettext as _

from atiende.accounts.models import Group, User
from atiende.core.errors import FieldError, Invalid
from atiende.core.text import clean_text
from atiende.tickets import config_cache
from atiende.tickets.errors import InvalidTransition
from atiende.tickets.models import Category, Priority, Status, StatusCategory, Tag

MAX_SUBJECT = 255

MAX_TAG_LENGTH = 100


def default_status() -> Status:
    active = [s for s in config_cache.snapshot().statuses if s.is_active]
    status = next((s for s in active if s.is_default), None)
    if status is None:
        status = next((s for s in active if s.category == StatusCategory.NEW), None)
    if status is None:
        raise RuntimeError("no default ticket status is configured")
    return copy.copy(status)  # the caller's own, as config_cache hands out


def first_status_in(category: StatusCategory) -> Status | None:
    """The first active status of ``category`` in workflow order (from the snapshot)."""
    statuses = config_cache.snapshot().statuses  # ordered by (order, id)
    found = next((s for s in statuses if s.category == category and s.is_active), None)
    return copy.copy(found) if found is not None else None


def default_priority() -> Priority:
    priorities = config_cache.snapshot().priorities
    priority = next((p for p in priorities if p.is_default), None) or next(iter(priorities), None)
    if priority is None:
        raise RuntimeError("no ticket priority is configured")
    return copy.copy(priority)


def resolve_status(key: str, field: str = "status") -> Status:
    status = config_cache.find_status(key)
    if status is None or not status.is_active:
        raise Invalid.field(field, _("Unknown status “%(key)s”.") % {"key": key})
    return status


def resolve_priority(key: str, field: str = "priority") -> Priority:
    priority = config_cache.find_priority(key)
    if priority is None:
        raise Invalid.field(field, _("Unknown priority “%(key)s”.") % {"key": key})
    return priority


def resolve_group(group_id: int, field: str = "group_id") -> Group:
    group = Group.objects.filter(pk=group_id, is_active=True).first()
    if group is None:
        raise Invalid.field(field, _("Unknown group."))
    return group


def resolve_category(category_id: int, field: str = "category_id") -> Category:
    category = Category.objects.filter(pk=category_id, is_active=True).first()
    if category is None:
        raise Invalid.field(field, _("Unknown category."))
    return category


def resolve_assignee(user_id: int, group: Group | None, field: str = "assignee_id") -> User:
    """An active agent who may work in ``group`` (admins may work anywhere)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.is_active or not user.is_agent:
        raise Invalid.field(field, _("The assignee must be an active agent."))
    if group is not None and not user.is_admin and not user.groups.filter(pk=group.pk).exists():
        raise Invalid.field(
            field,
            _("%(name)s is not a member of group %(group)s.")
            % {"name": user.display_name, "group": group.name},
        )
    return user


def normalize_tag(name: str) -> str:
    return " ".join(clean_text(name).split()).lower()


def resolve_tags(names: Iterable[str], field: str = "tags") -> list[Tag]:
    """The tags with these names, created when new; names are trimmed and lower-cased."""
    wanted: list[str] = []
    for name in names:
        tag = normalize_tag(name)
        if not tag or len(tag) > MAX_TAG_LENGTH or "," in tag:
            raise Invalid.field(
                field,
                _("Tags must be 1 to %(max)d characters without commas.") % {"max": MAX_TAG_LENGTH},
            )
        if tag not in wanted:
            wanted.append(tag)
    if not wanted:
        return []
    existing = {t.name: t for t in Tag.objects.filter(name__in=wanted)}
    missing = [Tag(name=n) for n in wanted if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.name: t for t in Tag.objects.filter(name__in=wanted)}
    return [existing[n] for n in wanted]


def check_transition(current: Status, new: Status) -> None:
    """Refuse a status change the configuration does not allow.

    A status with no allowed next statuses configured may move to any status, except that a
    closed ticket is final (a new message opens a follow-up ticket instead).
    """
    if current.pk == new.pk:
        return
    if current.category == StatusCategory.CLOSED:
        message = _("A closed ticket cannot change status.")
    else:
        allowed = config_cache.snapshot().transitions.get(current.pk)
        if not allowed or new.pk in allowed:
            return
        message = _("Cannot move from “%(old)s” to “%(new)s”.") % {
            "old": current.name,
            "new": new.name,
        }
    raise InvalidTransition(message, errors=[FieldError("status", message)])

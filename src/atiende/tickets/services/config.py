"""Writes of ticket configuration: tags, statuses, priorities, categories, custom fields.

Administrators only. Keys are unique (409); exactly one status and one priority are the
default for new tickets; categories form a tree without cycles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.contrib.admin.models import DELETION, LogEntry
from django.db import transaction
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import ErrorCollector, Invalid, NotFound
from atiende.core.events import publish
from atiende.core.permissions import require_admin
from atiende.core.services import check_changes, clean_name, conflict, save_unique
from atiende.tickets import audit, store
from atiende.tickets.models import (
    Category,
    CustomField,
    CustomFieldTarget,
    CustomFieldType,
    Priority,
    Status,
    StatusCategory,
    Tag,
    Ticket,
)
from atiende.tickets.services import announce
from atiende.tickets.services.common import MAX_TAG_LENGTH, normalize_tag

KEY_RE = re.compile(r"[a-z0-9][a-z0-9_-]*")
COLOR_RE = re.compile(r"#[0-9a-fA-F]{6}")
STATUS_FIELDS = {"key", "name_en", "name_es", "category", "order", "is_default", "is_active"}
PRIORITY_FIELDS = {"key", "name_en", "name_es", "order", "color", "is_default"}
CATEGORY_FIELDS = {"name_en", "name_es", "parent_id", "is_active"}
FIELD_FIELDS = {"name_en", "name_es", "options", "required", "is_identifier", "order", "is_active"}
CHOICE_TYPES = {CustomFieldType.SELECT, CustomFieldType.MULTISELECT}


def _clean_key(key: str, max_length: int) -> str:
    if not KEY_RE.fullmatch(key) or len(key) > max_length:
        raise Invalid.field(
            "key",
            _("Use 1 to %(max)d lower-case letters, digits, '-' or '_'.") % {"max": max_length},
        )
    return key


def _clean_color(changes: dict[str, Any]) -> dict[str, Any]:
    if "color" in changes:
        if not COLOR_RE.fullmatch(str(changes["color"])):
            raise Invalid.field("color", _("Use a colour such as #1a2b3c."))
        changes = {**changes, "color": str(changes["color"]).lower()}
    return changes


def _key_taken() -> str:
    return _("This key is already in use.")


def _apply(obj: Any, changes: dict[str, Any]) -> list[str]:
    """Set the plain fields (names are trimmed) and return their names for ``update_fields``."""
    for name, value in changes.items():
        if name in ("name_en", "name_es"):
            value = clean_name(value, name, max_length=100, required=name == "name_en")
        setattr(obj, name, value)
    return list(changes)


def _lock(model: type[Any], pk: int, message: str) -> Any:
    obj = model.objects.select_for_update().filter(pk=pk).first()
    if obj is None:
        raise NotFound(message)
    return obj


def _check_unique_key(model: type[Any], key: str, obj: Any = None, **scope: Any) -> None:
    same = model.objects.filter(key=key, **scope)
    if obj is not None:
        same = same.exclude(pk=obj.pk)
    if same.exists():
        raise conflict("key", _key_taken())


def _save_default(
    obj: Status | Priority, *, was_default: bool, update_fields: list[str] | None = None
) -> None:
    """Keep exactly one default: a new default replaces the old; the default cannot be unset."""
    if was_default and not obj.is_default:
        raise Invalid.field("is_default", _("Make another one the default instead."))
    if isinstance(obj, Status) and obj.is_default and not obj.is_active:
        raise Invalid.field("is_active", _("The default status must be active."))
    if obj.is_default and not was_default:
        type(obj).objects.filter(is_default=True).exclude(pk=obj.pk).update(is_default=False)
    save_unique(obj, field="key", message=_key_taken(), update_fields=update_fields)


@transaction.atomic
def create_tag(actor: Actor, *, name: str) -> Tag:
    require_admin(actor)
    tag_name = normalize_tag(name)
    if not tag_name or len(tag_name) > MAX_TAG_LENGTH or "," in tag_name:
        raise Invalid.field(
            "name", _("Tags are 1 to %(max)d characters without commas.") % {"max": MAX_TAG_LENGTH}
        )
    if Tag.objects.filter(name=tag_name).exists():
        raise conflict("name", _("This tag already exists."))
    tag = Tag(name=tag_name)
    save_unique(tag, field="name", message=_("This tag already exists."))
    return tag


@transaction.atomic
def delete_tag(actor: Actor, *, tag_id: int) -> None:
    """Delete a tag; each ticket that carried it records the loss in its audit trail.

    The deletion itself is recorded in Django's admin log (``LogEntry``: who, which tag, when),
    shown in the admin's history, whichever door it came through. Configuration has no audit
    table of its own; the log needs a user, so the system's own deletions (``actor.user`` is
    ``None``) leave only the tickets' entries.
    """
    require_admin(actor)
    tag = _lock(Tag, tag_id, _("Tag not found."))
    if actor.user_id is not None:
        LogEntry.objects.log_actions(
            user_id=actor.user_id,
            queryset=[tag],
            action_flag=DELETION,
            single_object=True,
        )
    tickets = list(Ticket.objects.filter(tags=tag).prefetch_related("tags"))
    records = [
        audit.event(
            ticket,
            actor,
            "updated",
            field="tags",
            old=sorted(t.name for t in ticket.tags.all()),
            new=sorted(t.name for t in ticket.tags.all() if t.pk != tag.pk),
        )
        for ticket in tickets
    ]
    audit.record(records)
    store.bump_versions(t.pk for t in tickets)
    tag.delete()
    for record in records:
        publish(announce.ticket_updated(actor, record.ticket_id, [record]))


def _allowed_next(keys: Iterable[str]) -> list[Status]:
    wanted = list(dict.fromkeys(keys))
    found = list(Status.objects.filter(key__in=wanted))
    missing = [key for key in wanted if key not in {s.key for s in found}]
    if missing:
        raise Invalid.field(
            "allowed_next", _("Unknown statuses: %(keys)s.") % {"keys": ", ".join(missing)}
        )
    return found


@transaction.atomic
def create_status(
    actor: Actor, *, key: str, category: str, allowed_next: Iterable[str] = (), **fields: Any
) -> Status:
    require_admin(actor)
    check_changes(fields, allowed=STATUS_FIELDS - {"key", "category"})
    if category not in StatusCategory.values:
        raise Invalid.field("category", _("Unknown category."))
    _check_unique_key(Status, _clean_key(key, 40))
    following = _allowed_next(allowed_next)
    status = Status(key=key, category=category)
    _apply(status, {"name_es": "", **fields})
    _save_default(status, was_default=False)
    status.allowed_next.set(following)
    return status


@transaction.atomic
def update_status(actor: Actor, *, status_id: int, changes: dict[str, Any]) -> Status:
    require_admin(actor)
    status: Status = _lock(Status, status_id, _("Status not found."))
    changes = dict(changes)
    following = changes.pop("allowed_next", None)
    check_changes(changes, allowed=STATUS_FIELDS)
    if changes.get("category", status.category) not in StatusCategory.values:
        raise Invalid.field("category", _("Unknown category."))
    if "key" in changes:
        _check_unique_key(Status, _clean_key(changes["key"], 40), status)
    was_default = status.is_default
    updated = _apply(status, changes)
    if updated:
        _save_default(status, was_default=was_default, update_fields=updated)
    if following is not None:
        status.allowed_next.set(_allowed_next(following))
    return status


@transaction.atomic
def create_priority(actor: Actor, *, key: str, **fields: Any) -> Priority:
    require_admin(actor)
    check_changes(fields, allowed=PRIORITY_FIELDS - {"key"})
    _check_unique_key(Priority, _clean_key(key, 40))
    priority = Priority(key=key)
    _apply(priority, {"name_es": "", **_clean_color(fields)})
    _save_default(priority, was_default=False)
    return priority


@transaction.atomic
def update_priority(actor: Actor, *, priority_id: int, changes: dict[str, Any]) -> Priority:
    require_admin(actor)
    priority: Priority = _lock(Priority, priority_id, _("Priority not found."))
    check_changes(changes, allowed=PRIORITY_FIELDS)
    if "key" in changes:
        _check_unique_key(Priority, _clean_key(changes["key"], 40), priority)
    was_default = priority.is_default
    updated = _apply(priority, _clean_color(changes))
    if updated:
        _save_default(priority, was_default=was_default, update_fields=updated)
    return priority


def _check_parent(category_id: int | None, parent_id: int | None) -> None:
    """The parent exists and is not the category itself or one of its descendants."""
    if parent_id is None:
        return
    # Lock the tree: two concurrent moves must not build a cycle between them.
    parents = dict(Category.objects.select_for_update().values_list("id", "parent_id"))
    if parent_id not in parents:
        raise Invalid.field("parent_id", _("Unknown category."))
    node: int | None = parent_id
    seen: set[int] = set()
    while node is not None and node not in seen:
        if node == category_id:
            raise Invalid.field(
                "parent_id", _("A category cannot be placed inside itself or its subcategories.")
            )
        seen.add(node)
        node = parents.get(node)


@transaction.atomic
def create_category(
    actor: Actor, *, name_en: str, name_es: str = "", parent_id: int | None = None,
    is_active: bool = True,
) -> Category:  # fmt: skip
    require_admin(actor)
    _check_parent(None, parent_id)
    category = Category(parent_id=parent_id, is_active=is_active)
    _apply(category, {"name_en": name_en, "name_es": name_es})
    category.save()
    return category


@transaction.atomic
def update_category(actor: Actor, *, category_id: int, changes: dict[str, Any]) -> Category:
    require_admin(actor)
    category: Category = _lock(Category, category_id, _("Category not found."))
    check_changes(changes, allowed=CATEGORY_FIELDS, nullable={"parent_id"})
    if "parent_id" in changes:
        _check_parent(category.pk, changes["parent_id"])
    updated = _apply(category, changes)
    if updated:
        category.save(update_fields=["parent" if f == "parent_id" else f for f in updated])
    return category


def _clean_options(kind: str, options: list[str]) -> list[str]:
    cleaned = [" ".join(option.split()) for option in options]
    errors = ErrorCollector()
    if kind in CHOICE_TYPES and not all(cleaned):
        errors.add("options", _("Options cannot be empty."))
    if kind in CHOICE_TYPES and not cleaned:
        errors.add("options", _("A select field needs at least one option."))
    if kind not in CHOICE_TYPES and cleaned:
        errors.add("options", _("Only select fields have options."))
    if len(set(cleaned)) != len(cleaned):
        errors.add("options", _("Options must be different from each other."))
    errors.raise_if_any()
    return cleaned


@transaction.atomic
def create_custom_field(
    actor: Actor, *, target: str, key: str, type: str, options: list[str] | None = None,
    **fields: Any,
) -> CustomField:  # fmt: skip
    require_admin(actor)
    check_changes(fields, allowed=FIELD_FIELDS - {"options"})
    if type not in CustomFieldType.values:
        raise Invalid.field("type", _("Unknown type."))
    if target not in CustomFieldTarget.values:
        raise Invalid.field("target", _("Unknown target."))
    _check_unique_key(CustomField, _clean_key(key, 60), target=target)
    field = CustomField(
        target=target, key=key, type=type, options=_clean_options(type, options or [])
    )
    _apply(field, {"name_es": "", **fields})
    save_unique(field, field="key", message=_key_taken())
    return field


@transaction.atomic
def update_custom_field(actor: Actor, *, field_id: int, changes: dict[str, Any]) -> CustomField:
    """Change a definition; its target and type are fixed once created (values may exist)."""
    require_admin(actor)
    field: CustomField = _lock(CustomField, field_id, _("Custom field not found."))
    changes = dict(changes)
    errors = ErrorCollector()
    for fixed in ("target", "type", "key"):
        if fixed in changes and changes.pop(fixed) != getattr(field, fixed):
            errors.add(fixed, _("Cannot be changed; create a new field instead."))
    errors.raise_if_any()
    check_changes(changes, allowed=FIELD_FIELDS)
    if "options" in changes:
        changes["options"] = _clean_options(field.type, changes["options"])
    updated = _apply(field, changes)
    if updated:
        field.save(update_fields=updated)
    return field

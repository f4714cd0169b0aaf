"""Writing announcements (administrators): a window and a text in each language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from atiende.accounts.models import Group
from atiende.automation.models import Announcement, AnnouncementKind
from atiende.core.actor import Actor
from atiende.core.errors import ErrorCollector, Invalid, NotFound
from atiende.core.permissions import require_admin
from atiende.core.services import check_changes, clean_name
from atiende.core.text import clean_text

MAX_TEXT = 5_000
FIELDS = {
    "name",
    "kind",
    "text_en",
    "text_es",
    "starts_at",
    "ends_at",
    "group_id",
    "replaces_acknowledgement",
}


def _clean(changes: dict[str, Any], current: Announcement | None) -> dict[str, Any]:
    errors = ErrorCollector()
    cleaned: dict[str, Any] = {}
    if "name" in changes:
        try:
            cleaned["name"] = clean_name(
                changes["name"] or "", "name", max_length=200, required=True
            )
        except Invalid as exc:
            errors.errors.extend(exc.errors)
    if "kind" in changes:
        if changes["kind"] not in AnnouncementKind.values:
            errors.add("kind", _("Unknown kind of announcement."))
        cleaned["kind"] = changes["kind"]
    for name in ("text_en", "text_es"):
        if name in changes:
            text = clean_text(changes[name] or "").strip()
            if not text:
                errors.add(name, _("This field is required."))
            elif len(text) > MAX_TEXT:
                errors.add(name, _("At most %(max)d characters.") % {"max": MAX_TEXT})
            cleaned[name] = text
    for name in ("starts_at", "ends_at"):
        if name in changes:
            value = changes[name]
            if not isinstance(value, datetime) or value.tzinfo is None:
                errors.add(name, _("Expected a date and time with its time zone."))
            cleaned[name] = value
    starts = cleaned.get("starts_at", current.starts_at if current else None)
    ends = cleaned.get("ends_at", current.ends_at if current else None)
    if (
        isinstance(starts, datetime)
        and isinstance(ends, datetime)
        and starts.tzinfo is not None
        and ends.tzinfo is not None
        and ends <= starts
    ):
        errors.add("ends_at", _("The end must come after the start."))
    if "group_id" in changes:
        group_id = changes["group_id"]
        if group_id is not None and not Group.objects.filter(pk=group_id, is_active=True).exists():
            errors.add("group_id", _("Unknown group."))
        cleaned["group_id"] = group_id
    if "replaces_acknowledgement" in changes:
        if not isinstance(changes["replaces_acknowledgement"], bool):
            errors.add("replaces_acknowledgement", _("Expected true or false."))
        cleaned["replaces_acknowledgement"] = changes["replaces_acknowledgement"]
    errors.raise_if_any()
    return cleaned


@transaction.atomic
def create_announcement(
    actor: Actor,
    *,
    name: str,
    text_en: str,
    text_es: str,
    starts_at: datetime,
    ends_at: datetime,
    kind: str = AnnouncementKind.OTHER,
    group_id: int | None = None,
    replaces_acknowledgement: bool = False,
) -> Announcement:
    require_admin(actor)
    cleaned = _clean(
        {
            "name": name,
            "kind": kind,
            "text_en": text_en,
            "text_es": text_es,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "group_id": group_id,
            "replaces_acknowledgement": replaces_acknowledgement,
        },
        None,
    )
    return Announcement.objects.create(**cleaned)


@transaction.atomic
def update_announcement(
    actor: Actor, *, announcement_id: int, changes: dict[str, Any]
) -> Announcement:
    require_admin(actor)
    found = Announcement.objects.select_for_update().filter(pk=announcement_id).first()
    if found is None:
        raise NotFound(_("Announcement not found."))
    check_changes(changes, allowed=FIELDS, nullable={"group_id"})
    cleaned = _clean(changes, found)
    for name, value in cleaned.items():
        setattr(found, name, value)
    if cleaned:
        found.save(update_fields=["group" if n == "group_id" else n for n in cleaned])
    return found


@transaction.atomic
def delete_announcement(actor: Actor, *, announcement_id: int) -> None:
    require_admin(actor)
    deleted, _rows = Announcement.objects.filter(pk=announcement_id).delete()
    if not deleted:
        raise NotFound(_("Announcement not found."))

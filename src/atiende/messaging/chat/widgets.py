"""Chat widgets created and changed by administrators (the only writers of ``ChatWidget``)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from atiende.accounts.models import Group
from atiende.core.actor import Actor
from atiende.core.errors import Conflict, ErrorCollector, Invalid, NotFound
from atiende.core.permissions import require_admin
from atiende.core.services import check_changes
from atiende.messaging.chat import config
from atiende.messaging.models import ChatWidget

WIDGET_FIELDS = {
    "name",
    "group_id",
    "allowed_origins",
    "prechat_fields",
    "title",
    "greeting",
    "accent_color",
    "language",
    "bot_enabled",
    "active",
}
DEFAULT_PRECHAT = [
    {"key": "name", "label": "", "required": False},
    {"key": "email", "label": "", "required": False},
]


def new_public_id() -> str:
    return secrets.token_urlsafe(12)


def _clean(name: str, value: Any) -> Any:
    if name == "name":
        text = str(value or "").strip()
        if not text or len(text) > 200:
            raise Invalid.field("name", _("Give the widget a name of 1 to 200 characters."))
        return text
    if name == "group_id":
        return _clean_group(value)
    if name == "allowed_origins":
        return config.clean_origins(value)
    if name == "prechat_fields":
        return config.clean_prechat_fields(value)
    if name in ("title", "greeting"):
        limit = 100 if name == "title" else 300
        text = str(value or "").strip()
        if len(text) > limit:
            raise Invalid.field(name, _("At most %(max)d characters.") % {"max": limit})
        return text
    if name == "accent_color":
        return config.clean_colour(value)
    if name == "language":
        return config.clean_language(value)
    return bool(value)


def _clean_group(value: Any) -> int | None:
    """An active group's id: a widget routing its chats to an inactive group would strand them."""
    if value is None:
        return None
    is_id = isinstance(value, int) and not isinstance(value, bool)
    group = Group.objects.filter(pk=value).first() if is_id else None
    if group is None:
        raise Invalid.field("group_id", _("Unknown group."))
    if not group.is_active:
        raise Invalid.field("group_id", _("This group is inactive; choose an active one."))
    return int(group.pk)


def _set_all(widget: ChatWidget, values: Mapping[str, Any]) -> None:
    """Clean every value before setting any: all bad fields are named at once."""
    errors = ErrorCollector()
    cleaned: dict[str, Any] = {}
    for field, value in values.items():
        try:
            cleaned[field] = _clean(field, value)
        except Invalid as error:
            errors.errors.extend(error.errors)
    errors.raise_if_any()
    for field, value in cleaned.items():
        setattr(widget, field, value)


@transaction.atomic
def create_widget(actor: Actor, *, name: str, **fields: Any) -> ChatWidget:
    """A new widget with a random public id (the ``data-widget`` of its script tag)."""
    require_admin(actor)
    check_changes(fields, allowed=WIDGET_FIELDS - {"name"}, nullable={"group_id"})
    widget = ChatWidget(public_id=new_public_id(), prechat_fields=list(DEFAULT_PRECHAT))
    _set_all(widget, {"name": name, **fields})
    widget.save()
    return widget


@transaction.atomic
def update_widget(actor: Actor, *, widget_id: int, changes: Mapping[str, Any]) -> ChatWidget:
    require_admin(actor)
    check_changes(dict(changes), allowed=WIDGET_FIELDS, nullable={"group_id"})
    widget = ChatWidget.objects.select_for_update().filter(pk=widget_id).first()
    if widget is None:
        raise NotFound(_("Chat widget not found."))
    _set_all(widget, changes)
    widget.save()
    return widget


@transaction.atomic
def delete_widget(actor: Actor, *, widget_id: int) -> None:
    """Delete a widget that never had a chat (admins only); one with chats is refused (409):
    their tickets name it. Deactivating it stops it just as well."""
    require_admin(actor)
    widget = ChatWidget.objects.select_for_update().filter(pk=widget_id).first()
    if widget is None:
        raise NotFound(_("Chat widget not found."))
    in_use = _("This widget has had chats, which are kept: deactivate it instead.")
    if widget.chats.exists():
        raise Conflict(in_use)
    try:
        with transaction.atomic():
            widget.delete()
    except (ProtectedError, RestrictedError):
        raise Conflict(in_use) from None

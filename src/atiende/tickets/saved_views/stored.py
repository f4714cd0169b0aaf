"""Saved views: who sees them, and creating, changing and deleting them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import ErrorCollector, Forbidden, Invalid, NotFound
from atiende.core.permissions import require_staff
from atiende.core.text import clean_text
from atiende.tickets.models import (
    SavedView,
)
from atiende.tickets.saved_views.filters import (
    DEFAULT_COLUMNS,
    DEFAULT_SORT,
    MAX_NAME,
    clean_columns,
    clean_filters,
    clean_sort,
)

# Saved views: selectors ----------------------------------------------------------------------


def visible_saved_views(actor: Actor) -> QuerySet[SavedView]:
    """The caller's own views and the views others shared; personal views stay private."""
    require_staff(actor)
    views = SavedView.objects.select_related("owner")
    if actor.user is None:
        return views
    return views.filter(Q(owner_id=actor.user.pk) | Q(shared=True))


def get_saved_view(actor: Actor, view_id: int) -> SavedView:
    """A view the caller may use; someone else's personal view is not found, not forbidden."""
    view = visible_saved_views(actor).filter(pk=view_id).first()
    if view is None:
        raise NotFound(_("View not found."))
    return view


def can_edit(actor: Actor, view: SavedView) -> bool:
    """Owners and admins change a view; everyone else may only use a shared one."""
    user = actor.user
    return user is None or user.is_admin or view.owner_id == user.pk


# Saved views: services -----------------------------------------------------------------------


def _clean_name(actor: Actor, name: str, *, owner_id: int, exclude: int | None = None) -> str:
    name = " ".join(clean_text(name or "").split())
    if not name or len(name) > MAX_NAME:
        raise Invalid.field(
            "name", _("The name must be 1 to %(max)d characters.") % {"max": MAX_NAME}
        )
    taken = SavedView.objects.filter(owner_id=owner_id, name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise Invalid.field("name", _("You already have a view with this name."))
    return name


@transaction.atomic
def create_saved_view(
    actor: Actor,
    *,
    name: str,
    filters: Mapping[str, Any],
    shared: bool = False,
    columns: Iterable[str] = DEFAULT_COLUMNS,
    sort: str = DEFAULT_SORT,
) -> SavedView:
    """Save filters, columns and sort under a name; any agent may share a view with the team."""
    require_staff(actor)
    if actor.user is None:
        raise Forbidden(_("Only a person can own a view."))
    owner = actor.user
    errors = ErrorCollector()
    values: dict[str, Any] = {}
    for key, check in (
        ("name", lambda: _clean_name(actor, name, owner_id=owner.pk)),
        ("filters", lambda: clean_filters(filters)),
        ("columns", lambda: clean_columns(columns)),
        ("sort", lambda: clean_sort(sort)),
    ):
        try:
            values[key] = check()
        except Invalid as error:
            errors.errors.extend(error.errors)
    errors.raise_if_any()
    position = SavedView.objects.filter(owner=owner).count()
    return SavedView.objects.create(owner=owner, shared=shared, position=position, **values)


@transaction.atomic
def update_saved_view(
    actor: Actor,
    *,
    view_id: int,
    name: str | None = None,
    shared: bool | None = None,
    filters: Mapping[str, Any] | None = None,
    columns: Iterable[str] | None = None,
    sort: str | None = None,
) -> SavedView:
    """Change what is given; only the owner or an admin may change a view."""
    view = _editable(actor, view_id)
    errors = ErrorCollector()
    checks: list[tuple[str, Any]] = []
    if name is not None:
        checks.append(
            ("name", lambda: _clean_name(actor, name, owner_id=view.owner_id, exclude=view.pk))
        )
    if filters is not None:
        checks.append(("filters", lambda: clean_filters(filters)))
    if columns is not None:
        checks.append(("columns", lambda: clean_columns(columns)))
    if sort is not None:
        checks.append(("sort", lambda: clean_sort(sort)))
    for key, check in checks:
        try:
            setattr(view, key, check())
        except Invalid as error:
            errors.errors.extend(error.errors)
    errors.raise_if_any()
    if shared is not None:
        view.shared = shared
    view.save()
    return view


@transaction.atomic
def delete_saved_view(actor: Actor, *, view_id: int) -> None:
    view = _editable(actor, view_id)
    view.delete()


def _editable(actor: Actor, view_id: int) -> SavedView:
    view = get_saved_view(actor, view_id)
    if not can_edit(actor, view):
        raise Forbidden(_("Only its owner or an administrator can change this view."))
    return view

"""Reads of ticket configuration, paginated like every other list."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import NotFound
from atiende.core.pagination import Page, SortKey, paginate
from atiende.core.permissions import require_staff
from atiende.tickets.models import Category, CustomField, Priority, Status, Tag
from atiende.tickets.services.common import normalize_tag

BY_ORDER = SortKey("order", False, int)
BY_NAME = SortKey("name", False, str)
BY_ENGLISH_NAME = SortKey("name_en", False, str)


def list_tags(actor: Actor, *, q: str = "", limit: int, cursor: str | None) -> Page[Tag]:
    """Tags by name; ``q`` is a prefix. Staff only."""
    require_staff(actor)
    tags = Tag.objects.all()
    if normalize_tag(q):
        tags = tags.filter(name__startswith=normalize_tag(q))
    return paginate(tags, BY_NAME, limit=limit, cursor=cursor)


def list_statuses(actor: Actor, *, limit: int, cursor: str | None) -> Page[Status]:
    """Every status in workflow order, with the statuses each may move to."""
    statuses = Status.objects.prefetch_related("allowed_next")
    return paginate(statuses, BY_ORDER, limit=limit, cursor=cursor)


def get_status(actor: Actor, status_id: int) -> Status:
    status = Status.objects.prefetch_related("allowed_next").filter(pk=status_id).first()
    if status is None:
        raise NotFound(_("Status not found."))
    return status


def list_priorities(actor: Actor, *, limit: int, cursor: str | None) -> Page[Priority]:
    return paginate(Priority.objects.all(), BY_ORDER, limit=limit, cursor=cursor)


@dataclass(frozen=True)
class CategoryNode:
    """A category with its place in the tree: the names from the root down to it."""

    id: int
    name: str
    name_en: str
    name_es: str
    parent_id: int | None
    path: list[str]
    is_active: bool


def _nodes(categories: list[Category]) -> list[CategoryNode]:
    """Attach each category's path, reading the (small) tree once instead of per level."""
    tree = {c.pk: c for c in Category.objects.only("id", "parent_id", "name_en", "name_es")}
    nodes = []
    for category in categories:
        path: list[str] = []
        node: Category | None = category
        while node is not None and len(path) <= len(tree):
            path.insert(0, node.name)
            node = tree.get(node.parent_id) if node.parent_id is not None else None
        nodes.append(
            CategoryNode(
                id=category.pk,
                name=category.name,
                name_en=category.name_en,
                name_es=category.name_es,
                parent_id=category.parent_id,
                path=path,
                is_active=category.is_active,
            )
        )
    return nodes


def list_categories(
    actor: Actor, *, limit: int, cursor: str | None
) -> tuple[list[CategoryNode], str | None]:
    """Categories by English name, each with its ``parent_id`` and ``path``."""
    page = paginate(Category.objects.all(), BY_ENGLISH_NAME, limit=limit, cursor=cursor)
    return _nodes(list(page.items)), page.next_cursor


def get_category(actor: Actor, category_id: int) -> CategoryNode:
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise NotFound(_("Category not found."))
    return _nodes([category])[0]


def list_custom_fields(
    actor: Actor, *, target: str | None = None, limit: int, cursor: str | None
) -> Page[CustomField]:
    """Field definitions in display order, optionally of one target. Staff only."""
    require_staff(actor)
    fields = CustomField.objects.all()
    if target:
        fields = fields.filter(target=target)
    return paginate(fields, BY_ORDER, limit=limit, cursor=cursor)

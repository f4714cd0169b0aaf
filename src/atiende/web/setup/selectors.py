"""Reads behind the settings pages: each list in a fixed, small number of queries.

Administrators only; the views check that before calling. Lists are keyset-paginated like the
API's, except the category tree, which is read whole (one query) to draw it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from atiende.accounts.models import Group, Role, User
from atiende.accounts.selectors import BY_NAME, visible_users
from atiende.automation.models import Macro, TimedRule, Trigger
from atiende.core.actor import Actor
from atiende.core.errors import NotFound
from atiende.core.pagination import Page, SortKey, paginate
from atiende.sla.models import Calendar, GroupCalendar, SlaPolicy
from atiende.tickets.models import Category, CustomField, Priority, Status, Tag
from atiende.tickets.selectors import visible_tickets

PAGE_SIZE = 50
BY_ID = SortKey("id", False, int)
STAFF_ROLES = (Role.ADMIN, Role.AGENT)


def groups_page(actor: Actor, *, cursor: str | None) -> Page[Group]:
    """Groups by name with how many agents each has."""
    groups = Group.objects.annotate(member_count=Count("members"))
    return paginate(groups, BY_NAME, limit=PAGE_SIZE, cursor=cursor)


def staff(actor: Actor) -> QuerySet[User]:
    """Agents and administrators, suspended ones included, by name."""
    return visible_users(actor).filter(role__in=STAFF_ROLES).order_by("name", "pk")


def staff_page(actor: Actor, *, q: str = "", cursor: str | None) -> Page[User]:
    users = staff(actor).prefetch_related("groups")
    if q.strip():
        users = users.filter(Q(name__icontains=q.strip()) | Q(email__icontains=q.strip()))
    return paginate(users, BY_NAME, limit=PAGE_SIZE, cursor=cursor)


def get_staff_member(actor: Actor, user_id: int) -> User:
    user = staff(actor).prefetch_related("groups").filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("User not found."))
    return user


def tags_page(actor: Actor, *, q: str = "", cursor: str | None) -> Page[Tag]:
    """Tags by name with the number of tickets carrying each."""
    tags = Tag.objects.annotate(ticket_count=Count("tickets"))
    if q.strip():
        tags = tags.filter(name__icontains=q.strip())
    return paginate(tags, BY_NAME, limit=PAGE_SIZE, cursor=cursor)


@dataclass(frozen=True)
class TreeRow:
    """One category in the drawn tree: its depth and the path of names down to it."""

    category: Category
    depth: int
    path: str

    @property
    def level(self) -> int:
        """The indentation drawn: deeper levels than six share the sixth's."""
        return min(self.depth, 6)


def category_tree() -> list[TreeRow]:
    """Every category, parents before their children, siblings by name; one query."""
    categories = list(Category.objects.all())
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    for siblings in children.values():
        siblings.sort(key=lambda c: c.name.casefold())
    rows: list[TreeRow] = []
    seen: set[int] = set()

    def walk(parent_id: int | None, depth: int, prefix: str) -> None:
        for category in children.get(parent_id, []):
            if category.pk in seen:  # a cycle cannot be stored, but never loop forever
                continue
            seen.add(category.pk)
            path = f"{prefix} › {category.name}" if prefix else category.name
            rows.append(TreeRow(category, depth, path))
            walk(category.pk, depth + 1, path)

    walk(None, 0, "")
    return rows


def get_category(category_id: int) -> Category:
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise NotFound(_("Category not found."))
    return category


def get_status(status_id: int) -> Status:
    status = Status.objects.prefetch_related("allowed_next").filter(pk=status_id).first()
    if status is None:
        raise NotFound(_("Status not found."))
    return status


def get_priority(priority_id: int) -> Priority:
    priority = Priority.objects.filter(pk=priority_id).first()
    if priority is None:
        raise NotFound(_("Priority not found."))
    return priority


def get_custom_field(field_id: int) -> CustomField:
    field = CustomField.objects.filter(pk=field_id).first()
    if field is None:
        raise NotFound(_("Custom field not found."))
    return field


def custom_fields() -> list[CustomField]:
    """Every definition, grouped by target and in display order (a handful per target)."""
    return list(CustomField.objects.order_by("target", "order", "id"))


def shared_canned_page(actor: Actor, *, cursor: str | None) -> Page[Macro]:
    responses = Macro.objects.filter(owner__isnull=True).select_related("group")
    return paginate(responses, SortKey("name", False, str), limit=PAGE_SIZE, cursor=cursor)


def personal_canned_page(actor: Actor, *, cursor: str | None) -> Page[Macro]:
    """The acting agent's own macros (canned responses); nobody else's."""
    responses = Macro.objects.filter(owner_id=actor.user_id, owner__isnull=False)
    responses = responses.select_related("group")
    return paginate(responses, SortKey("name", False, str), limit=PAGE_SIZE, cursor=cursor)


def get_canned(actor: Actor, response_id: int, *, shared: bool) -> Macro:
    """A shared response, or one of the actor's own; anything else is not found."""
    responses = Macro.objects.filter(pk=response_id)
    if shared:
        responses = responses.filter(owner__isnull=True)
    else:
        responses = responses.filter(owner_id=actor.user_id, owner__isnull=False)
    found = responses.first()
    if found is None:
        raise NotFound(_("Canned response not found."))
    return found


def active_groups(actor: Actor) -> list[Group]:
    """Groups a canned response may be filed under: all for admins, one's own for agents."""
    groups = Group.objects.filter(is_active=True)
    if actor.user is not None and not actor.user.is_admin:
        groups = groups.filter(members=actor.user)
    return list(groups.order_by("name"))


def group_choices() -> list[tuple[int, str]]:
    return [(g.pk, g.name) for g in Group.objects.only("pk", "name").order_by("name")]


def staff_choices(actor: Actor) -> list[tuple[int, str]]:
    return [(u.pk, u.display_name) for u in staff(actor).only("pk", "name", "email")]


def status_choices() -> list[tuple[str, str]]:
    return [(s.key, s.name) for s in Status.objects.order_by("order", "id")]


def parent_choices() -> list[tuple[int, str]]:
    return [(row.category.pk, row.path) for row in category_tree()]


def ticket_id_by_number(actor: Actor, number: int) -> int:
    """The id of the visible ticket numbered ``number`` (the dry run asks by number)."""
    found = visible_tickets(actor).filter(number=number).values_list("pk", flat=True).first()
    if found is None:
        raise NotFound(_("No ticket #%(number)s.") % {"number": number})
    return int(found)


def triggers() -> list[Trigger]:
    """Every trigger in the order they run."""
    return list(Trigger.objects.order_by("order", "id"))


def get_trigger(trigger_id: int) -> Trigger:
    found = Trigger.objects.filter(pk=trigger_id).first()
    if found is None:
        raise NotFound(_("Trigger not found."))
    return found


def sla_policies() -> list[SlaPolicy]:
    """Every SLA policy in the order they are tried, with how many targets each has."""
    policies = SlaPolicy.objects.select_related("calendar").annotate(target_count=Count("targets"))
    return list(policies.order_by("order", "id"))


def get_sla_policy(policy_id: int) -> SlaPolicy:
    found = SlaPolicy.objects.prefetch_related("targets__priority", "escalations")
    policy = found.filter(pk=policy_id).first()
    if policy is None:
        raise NotFound(_("Unknown SLA policy."))
    return policy


def calendars() -> list[Calendar]:
    """Every business calendar by name, with its groups."""
    return list(Calendar.objects.prefetch_related("groups__group").order_by("name"))


def calendar_choices() -> list[tuple[int, str]]:
    return [(c.pk, c.name) for c in Calendar.objects.only("pk", "name").order_by("name")]


def get_calendar(calendar_id: int) -> Calendar:
    found = Calendar.objects.prefetch_related("holidays").filter(pk=calendar_id).first()
    if found is None:
        raise NotFound(_("Unknown calendar."))
    return found


def group_calendar_id(group_id: int) -> int | None:
    return (
        GroupCalendar.objects.filter(group_id=group_id)
        .values_list("calendar_id", flat=True)
        .first()
    )


def next_policy_order() -> int:
    """An order after every policy's: a new policy is tried last."""
    last = SlaPolicy.objects.order_by("-order").values_list("order", flat=True).first()
    return (last or 0) + 10


def shared_macros_page(actor: Actor, *, cursor: str | None) -> Page[Macro]:
    """Shared macros by name with how many times agents applied each."""
    macros = Macro.objects.filter(owner__isnull=True).select_related("group")
    macros = macros.annotate(used=Sum("usages__count"))
    return paginate(macros, SortKey("name", False, str), limit=PAGE_SIZE, cursor=cursor)


def personal_macro_count() -> int:
    """How many personal macros agents keep (they manage them on their account page)."""
    return Macro.objects.filter(owner__isnull=False).count()


def timed_rules() -> list[TimedRule]:
    """Every time-based rule in order."""
    return list(TimedRule.objects.order_by("order", "id"))


def get_timed_rule(rule_id: int) -> TimedRule:
    found = TimedRule.objects.filter(pk=rule_id).first()
    if found is None:
        raise NotFound(_("Time-based rule not found."))
    return found

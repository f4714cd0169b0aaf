"""Reads of people and teams: who a caller may look up, and the lists they page through."""

from __future__ import annotations

import datetime
import functools
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections, router
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from atiende.accounts import store
from atiende.accounts.models import (
    AgentAvailability,
    AgentStatus,
    ApiToken,
    Group,
    Identity,
    IdentityChannel,
    Organization,
    OutOfOffice,
    Role,
    User,
)
from atiende.core.actor import Actor
from atiende.core.errors import Forbidden, Invalid, NotFound
from atiende.core.pagination import Page, SortKey, paginate
from atiende.core.permissions import require_staff

BY_NAME = SortKey("name", False, str)
NEWEST_FIRST = SortKey("created_at", True, datetime.datetime)
OLDEST_FIRST = SortKey("id", False, int)


def visible_users(actor: Actor) -> QuerySet[User]:
    """Staff see everyone; customers see only themselves."""
    users = User.objects.all()
    if actor.user is None or actor.user.is_agent:
        return users
    return users.filter(pk=actor.user.pk)


def get_user(actor: Actor, user_id: int, *, field: str | None = None) -> User:
    """A visible user; with ``field`` an unknown id is a field error (422) instead of a 404."""
    user = visible_users(actor).filter(pk=user_id).first()
    if user is None:
        if field:
            raise Invalid.field(field, _("Unknown user."))
        raise NotFound(_("User not found."))
    return user


def sees_private_fields(viewer: User | None) -> bool:
    """Staff notes and custom fields about people are for staff eyes only."""
    return viewer is None or (viewer.is_active and viewer.is_agent)


def list_users(
    actor: Actor,
    *,
    role: str | None = None,
    organization_id: int | None = None,
    group_id: int | None = None,
    q: str = "",
    limit: int,
    cursor: str | None,
) -> Page[User]:
    """Visible users by name; ``q`` matches any part of the name or email."""
    users = visible_users(actor).select_related("organization").prefetch_related("groups")
    if role:
        users = users.filter(role=role)
    if organization_id is not None:
        users = users.filter(organization_id=organization_id)
    if group_id is not None:
        users = users.filter(groups=group_id)
    if q.strip():
        users = users.filter(Q(name__icontains=q.strip()) | Q(email__icontains=q.strip()))
    return paginate(users, BY_NAME, limit=limit, cursor=cursor)


def read_user(actor: Actor, user_id: int) -> User:
    user = (
        visible_users(actor)
        .select_related("organization")
        .prefetch_related("groups")
        .filter(pk=user_id)
        .first()
    )
    if user is None:
        raise NotFound(_("User not found."))
    return user


def list_identities(
    actor: Actor, user_id: int, *, limit: int, cursor: str | None
) -> Page[Identity]:
    """A visible user's addresses, oldest first."""
    user = get_user(actor, user_id)
    return paginate(Identity.objects.filter(user=user), OLDEST_FIRST, limit=limit, cursor=cursor)


def visible_organizations(actor: Actor) -> QuerySet[Organization]:
    """Organizations are staff records: customers are refused outright."""
    require_staff(actor)
    return Organization.objects.prefetch_related("domains")


def list_organizations(
    actor: Actor, *, q: str = "", limit: int, cursor: str | None
) -> Page[Organization]:
    orgs = visible_organizations(actor)
    if q.strip():
        orgs = orgs.filter(Q(name__icontains=q.strip()) | Q(domains__domain__icontains=q.strip()))
        orgs = orgs.distinct()
    return paginate(orgs, BY_NAME, limit=limit, cursor=cursor)


def get_organization(actor: Actor, organization_id: int) -> Organization:
    org = visible_organizations(actor).filter(pk=organization_id).first()
    if org is None:
        raise NotFound(_("Organization not found."))
    return org


def visible_groups(actor: Actor) -> QuerySet[Group]:
    """Groups are staff records: customers are refused outright."""
    require_staff(actor)
    members = Prefetch("members", queryset=User.objects.only("pk").order_by("pk"))
    return Group.objects.prefetch_related(members)


def list_groups(actor: Actor, *, q: str = "", limit: int, cursor: str | None) -> Page[Group]:
    groups = visible_groups(actor)
    if q.strip():
        groups = groups.filter(name__icontains=q.strip())
    return paginate(groups, BY_NAME, limit=limit, cursor=cursor)


def get_group(actor: Actor, group_id: int) -> Group:
    group = visible_groups(actor).filter(pk=group_id).first()
    if group is None:
        raise NotFound(_("Group not found."))
    return group


def visible_tokens(actor: Actor) -> QuerySet[ApiToken]:
    """Everyone sees their own tokens; admins see everyone's."""
    found = ApiToken.objects.select_related("user")
    if actor.user is None or (actor.user.is_active and actor.user.is_admin):
        return found
    return found.filter(user=actor.user)


def list_tokens(
    actor: Actor, *, user_id: int | None = None, limit: int, cursor: str | None
) -> Page[ApiToken]:
    """Newest first: by default the actor's own; admins may name another ``user_id``."""
    found = visible_tokens(actor)
    if user_id is not None:
        if actor.user is not None and user_id != actor.user.pk and not actor.user.is_admin:
            raise Forbidden(_("Only administrators can list other users' tokens."))
        found = found.filter(user_id=user_id)
    elif actor.user is not None:
        found = found.filter(user=actor.user)
    return paginate(found, NEWEST_FIRST, limit=limit, cursor=cursor)


def get_token(actor: Actor, token_id: int) -> ApiToken:
    token = visible_tokens(actor).filter(pk=token_id).first()
    if token is None:
        raise NotFound(_("Unknown token."))
    return token


def known_email_addresses(addresses: set[str]) -> dict[str, bool]:
    """Which of these (lower-case) addresses already belong to someone, as their email or an
    email identity, and whether that someone is active: a system read for channels that
    create the others ahead of their work."""
    if not addresses:
        return {}
    users = User.objects.filter(email__in=addresses).values_list("email", "is_active")
    found = {email: active for email, active in users if email}
    found.update(
        Identity.objects.filter(
            channel=IdentityChannel.EMAIL, value__in=addresses - found.keys()
        ).values_list("value", "user__is_active")
    )
    return found


# --- availability, for assignment (issue 14) ----------------------------------------------


def away_after() -> datetime.timedelta:
    """Idle time after which an "online" agent counts as away (``ATIENDE_AGENT_AWAY_MINUTES``)."""
    return datetime.timedelta(minutes=getattr(settings, "ATIENDE_AGENT_AWAY_MINUTES", 15))


@dataclass(frozen=True)
class Candidate:
    """An agent assignment may pick now, with what it needs to choose between them."""

    user_id: int
    capacity: int | None
    languages: tuple[str, ...]
    skill_tags: frozenset[str]
    skill_categories: frozenset[int]
    chat_capacity: int | None = None  # open chats, counted apart from ``capacity``


def _json_list(text: str) -> tuple[Any, ...]:
    value = json.loads(text)
    return tuple(value) if isinstance(value, list) else ()


@functools.lru_cache(maxsize=4096)
def _candidate(row: tuple[Any, ...]) -> Candidate:
    """A candidate from its row (the JSON lists as text), made once per distinct row: the
    same agents come back decision after decision, and decoding 600 lists and building 200
    candidates each time was most of a decision's Python."""
    user_id, capacity, languages, tags, categories, chat_capacity = row
    return Candidate(
        user_id=user_id,
        capacity=capacity,
        languages=_json_list(languages),
        skill_tags=frozenset(_json_list(tags)),
        skill_categories=frozenset(_json_list(categories)),
        chat_capacity=chat_capacity,
    )


def available_members(group_id: int, at: datetime.datetime) -> list[Candidate]:
    """The group's active agents who are online, active recently and not out of office at
    ``at``, in id order: one statement, whatever the size of the team.

    A statement built once and prepared (``accounts.store``): the ORM spent ~3 ms of Python
    building this query and its rows for 200 agents, five times the query itself, and an
    assignment decision has 5 ms in all.
    """
    db = connections[router.db_for_read(AgentAvailability)]
    moment = db.ops.adapt_datetimefield_value(at)
    since = db.ops.adapt_datetimefield_value(at - away_after())
    params: list[Any] = [group_id, AgentStatus.ONLINE.value, since, True, Role.ADMIN.value]
    params += [Role.AGENT.value, moment, moment]
    return [_candidate(row) for row in store.available_member_rows(params)]


def effective_status(user_id: int, at: datetime.datetime) -> str:
    """What the agent's status means now: "online" idle too long reads "away"; out of office
    reads "offline"; never seen reads "offline"."""
    row = AgentAvailability.objects.filter(user_id=user_id).first()
    if row is None or row.last_seen_at is None:
        return str(AgentStatus.OFFLINE)
    if OutOfOffice.objects.filter(user_id=user_id, starts_at__lte=at, ends_at__gt=at).exists():
        return str(AgentStatus.OFFLINE)
    if row.status == AgentStatus.ONLINE and row.last_seen_at < at - away_after():
        return str(AgentStatus.AWAY)
    return str(row.status)


def periods_to_hand_over(at: datetime.datetime, *, limit: int = 100) -> list[OutOfOffice]:
    """Started periods whose agent's tickets were not handed over yet (a partial index)."""
    return list(
        OutOfOffice.objects.filter(handed_over_at__isnull=True, starts_at__lte=at).order_by(
            "starts_at", "pk"
        )[:limit]
    )


def periods_to_return(at: datetime.datetime, *, limit: int = 100) -> list[OutOfOffice]:
    """Ended periods whose return (draining the backlog to the agent) is not handled yet."""
    return list(
        OutOfOffice.objects.filter(returned_at__isnull=True, ends_at__lte=at).order_by(
            "ends_at", "pk"
        )[:limit]
    )


def hold_agent(user_id: int) -> None:
    """Lock the agent's availability row until the transaction ends: decisions in different
    groups that pick the same agent take turns, so neither overshoots their capacity."""
    db = connections[router.db_for_write(AgentAvailability)]
    sql = f"SELECT user_id FROM {AgentAvailability._meta.db_table} WHERE user_id = %s"  # noqa: S608  (table name)
    if db.features.has_select_for_update:
        sql += " FOR UPDATE"  # SQLite: the write transaction already excludes the others
    with db.cursor() as cursor:
        cursor.execute(sql, [user_id])


def agent_group_ids(user_id: int) -> list[int]:
    """The active groups the user belongs to."""
    return list(
        Group.objects.filter(members=user_id, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def own_out_of_office(user_id: int, at: datetime.datetime) -> list[OutOfOffice]:
    """The agent's periods away that are not over at ``at`` (current and coming), soonest
    first: what their account page lists and lets them remove."""
    return list(
        OutOfOffice.objects.filter(user_id=user_id, ends_at__gt=at).order_by("starts_at", "pk")
    )


def own_capacities(user_id: int) -> tuple[int | None, int | None]:
    """The agent's (ticket capacity, chat capacity) as an administrator set them, for the
    agent's own workspace; ``None`` is no limit (also for an agent never seen, who has no
    availability row yet)."""
    row = (
        AgentAvailability.objects.filter(user_id=user_id)
        .values_list("capacity", "chat_capacity")
        .first()
    )
    return (row[0], row[1]) if row is not None else (None, None)


def user_for_rules(user_id: int) -> User | None:
    """A ticket's requester as rules and SLA policies read it: one prepared statement, no
    scoping (the system reads)."""
    return store.user_by_id(user_id)


def organization_for_rules(organization_id: int) -> Organization | None:
    """A ticket's organization as rules read it (its name, its custom fields)."""
    return store.organization_by_id(organization_id)

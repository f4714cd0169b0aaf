"""Who may see a ticket: the one rule, written once as data.

A ``Scope`` is "everything", or a list of clauses on a ticket's routing columns (group,
assignee, requester, organization), any one of which admits a ticket. The SQL filter
(``Scope.as_q``, behind ``selectors.visible_tickets``) and the test on plain values
(``Scope.admits``, for live events, notifications and a ticket already in memory) are both
read off those clauses, so the two cannot disagree. ``scope_of`` is the only place that
decides, from a user's role, activity, groups and organization, which clauses they get:

- the system (no user) and active admins: everything;
- active agents: their groups' tickets, tickets in no group (the triage queue) and tickets
  assigned to them;
- active customers: their own tickets and, when their address is verified and their
  organization shares tickets, the organization's;
- inactive users and unknown roles: nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from django.db.models import Q, QuerySet

from atiende.accounts.models import Role, User
from atiende.tickets.models import Ticket

Column = Literal["group_id", "assignee_id", "requester_id", "organization_id"]
ROUTING: tuple[Column, ...] = ("group_id", "assignee_id", "requester_id", "organization_id")
# The rollup's keys for the columns it counts by; 0 stands for "none" there.
TALLY_COLUMNS: Mapping[str, str] = {"group_id": "group_key", "assignee_id": "assignee_key"}


@dataclass(frozen=True)
class Clause:
    """The ticket's ``column`` is ``value``; or one of ``values``; or empty (``empty``).

    Exactly one of the three forms is used; each is written in SQL the way the indexes like
    best (``= x``, ``IN (...)``, ``IS NULL``).
    """

    column: Column
    value: int | None = None
    values: tuple[int, ...] | None = None
    empty: bool = False

    def __post_init__(self) -> None:
        forms = (self.value is not None, self.values is not None, self.empty)
        if sum(forms) != 1:
            raise ValueError(f"a clause on {self.column} needs exactly one of value/values/empty")

    def matches(self, row: Mapping[str, int | None]) -> bool:
        found = row[self.column]
        if self.empty:
            return found is None
        if self.values is not None:
            return found in self.values
        return found is not None and found == self.value

    def as_q(self, name: str, *, none: int | None) -> Q | None:
        """This clause on column ``name``; ``none`` is how that column writes "empty" (``None``
        for SQL NULL). ``None`` when the clause can match nothing (no values)."""
        if self.empty:
            return Q(**{f"{name}__isnull": True}) if none is None else Q(**{name: none})
        if self.values is not None:
            return Q(**{f"{name}__in": list(self.values)}) if self.values else None
        return Q(**{name: self.value})


@dataclass(frozen=True)
class Scope:
    """The tickets one user may see (see the module's docstring)."""

    everything: bool = False
    clauses: tuple[Clause, ...] = ()

    @property
    def nothing(self) -> bool:
        return not self.everything and not self.clauses

    def admits(
        self,
        *,
        group_id: int | None,
        assignee_id: int | None,
        requester_id: int | None,
        organization_id: int | None,
    ) -> bool:
        """Whether a ticket with these routing values is in the scope."""
        return self.admits_row(
            {
                "group_id": group_id,
                "assignee_id": assignee_id,
                "requester_id": requester_id,
                "organization_id": organization_id,
            }
        )

    def admits_row(self, row: Mapping[str, int | None]) -> bool:
        """``admits`` for a row holding the ``ROUTING`` columns (e.g. ``.values(*ROUTING)``)."""
        return self.everything or any(clause.matches(row) for clause in self.clauses)

    def admits_ticket(self, ticket: Ticket) -> bool:
        return self.admits(
            group_id=ticket.group_id,
            assignee_id=ticket.assignee_id,
            requester_id=ticket.requester_id,
            organization_id=ticket.organization_id,
        )

    def as_q(self, columns: Mapping[str, str] | None = None, *, none: int | None = None) -> Q:
        """The scope as a filter. ``columns`` renames routing columns (an alias of the listing,
        the rollup's keys); ``none`` is how empty is written there (the rollup writes 0).

        A scope that matches nothing gives a filter that matches nothing (``pk__in=[]``,
        which Django answers without a query).
        """
        if self.everything:
            return Q()
        names = columns or {}
        parts = [
            q
            for clause in self.clauses
            if (q := clause.as_q(names.get(clause.column, clause.column), none=none)) is not None
        ]
        if not parts:
            return Q(pk__in=[])
        combined = parts[0]
        for part in parts[1:]:
            combined |= part
        return combined

    def filter(
        self, tickets: QuerySet[Ticket], columns: Mapping[str, str] | None = None
    ) -> QuerySet[Ticket]:
        """``tickets`` narrowed to the scope (``columns``: see ``as_q``)."""
        if self.everything:
            return tickets
        if self.nothing:
            return tickets.none()
        return tickets.filter(self.as_q(columns))

    def tally_q(self) -> Q | None:
        """The scope on the inbox rollup's keys; ``None`` when the rollup cannot express it
        (it counts by group and assignee only: customers' scopes)."""
        if any(clause.column not in TALLY_COLUMNS for clause in self.clauses):
            return None
        return self.as_q(TALLY_COLUMNS, none=0)


EVERYTHING = Scope(everything=True)
NOTHING = Scope()


def scope_of(
    *,
    user_id: int,
    role: str,
    is_active: bool,
    group_ids: Iterable[int] = (),
    shared_organization_id: int | None = None,
) -> Scope:
    """The scope of a user described by plain values: the rule itself.

    ``shared_organization_id``: the organization whose tickets a customer sees besides their
    own (see ``shared_organization``), else ``None``.
    """
    if not is_active:
        return NOTHING
    if role == Role.ADMIN:
        return EVERYTHING
    if role == Role.AGENT:
        return Scope(
            clauses=(
                Clause("group_id", values=tuple(sorted(set(group_ids)))),
                Clause("group_id", empty=True),
                Clause("assignee_id", value=user_id),
            )
        )
    if role == Role.CUSTOMER:
        own = Clause("requester_id", value=user_id)
        if shared_organization_id is None:
            return Scope(clauses=(own,))
        return Scope(clauses=(own, Clause("organization_id", value=shared_organization_id)))
    return NOTHING


def staff_seeing(*, group_id: int | None, assignee_id: int | None) -> Q:
    """The users (active staff) whose scope admits a ticket of ``group_id`` and
    ``assignee_id``: the staff branches of ``scope_of`` read backwards, for pickers such as
    mentions. Join on groups: use with ``.distinct()``."""
    staff = Q(is_active=True, role__in=(Role.AGENT, Role.ADMIN))
    if group_id is None:
        return staff
    return staff & (Q(role=Role.ADMIN) | Q(groups=group_id) | Q(pk=assignee_id))


def shared_organization(
    organization_id: int | None, *, shared_tickets: bool | None, verified: bool
) -> int | None:
    """The organization whose tickets a customer also sees: theirs, if it shares tickets and
    the customer's address is verified (signing in proved it)."""
    return organization_id if organization_id is not None and shared_tickets and verified else None


def group_ids(user: User) -> list[int]:
    """The ids of the user's groups, read once per user object."""
    cached: list[int] | None = getattr(user, "_atiende_group_ids", None)
    if cached is None:
        cached = list(user.groups.values_list("id", flat=True))
        user._atiende_group_ids = cached  # type: ignore[attr-defined]  # per-object memo
    return cached


def scope_for(user: User | None) -> Scope:
    """The scope of ``user`` (``None``: the system, which sees everything).

    Agents' groups are read once per user object; a customer's organization is read through
    the user's relation.
    """
    if user is None:
        return EVERYTHING
    if not user.is_active or user.role not in (Role.AGENT, Role.CUSTOMER):
        return scope_of(user_id=user.pk, role=user.role, is_active=user.is_active)
    shared = None
    if user.role == Role.CUSTOMER and user.organization_id is not None:
        org = user.organization
        shared = shared_organization(
            user.organization_id,
            shared_tickets=org is not None and org.shared_tickets,
            verified=user.email_verified_at is not None,
        )
    return scope_of(
        user_id=user.pk,
        role=user.role,
        is_active=user.is_active,
        group_ids=group_ids(user) if user.role == Role.AGENT else (),
        shared_organization_id=shared,
    )


@dataclass(frozen=True)
class Viewer:
    """A user's current standing, read in bulk: enough to build their scope."""

    user_id: int
    role: str
    is_active: bool
    scope: Scope

    @property
    def is_staff(self) -> bool:
        return self.is_active and self.role in (Role.ADMIN, Role.AGENT)


def load_viewers(user_ids: Iterable[int]) -> dict[int, Viewer]:
    """The current scope of each of ``user_ids``, in two queries for any number of users
    (long-lived readers such as the live hub refresh them every few seconds).

    Users who no longer exist are missing from the answer.
    """
    wanted = set(user_ids)
    if not wanted:
        return {}
    memberships: dict[int, set[int]] = defaultdict(set)
    through = User.groups.through
    for user_id, group_id in through.objects.filter(user_id__in=wanted).values_list(
        "user_id", "group_id"
    ):
        memberships[user_id].add(group_id)
    rows = User.objects.filter(pk__in=wanted).values_list(
        "pk",
        "role",
        "is_active",
        "organization_id",
        "organization__shared_tickets",
        "email_verified_at",
    )
    return {
        pk: Viewer(
            pk,
            role,
            active,
            scope_of(
                user_id=pk,
                role=role,
                is_active=active,
                group_ids=memberships[pk],
                shared_organization_id=shared_organization(
                    org_id, shared_tickets=shared, verified=verified_at is not None
                ),
            ),
        )
        for pk, role, active, org_id, shared, verified_at in rows
    }

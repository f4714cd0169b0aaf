"""Who may receive which live event: the rules of ``tickets.selectors.visible_tickets``,
applied to the routing columns an event carries instead of to a query.

A web process keeps one ``Viewer`` per connected user and refreshes it every few seconds, so a
role change, a suspension or a removal from a group takes effect without a reconnect.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from atiende.accounts.models import Role, User
from atiende.realtime.models import LiveEvent


@dataclass(frozen=True)
class Viewer:
    user_id: int
    role: str
    is_active: bool
    group_ids: frozenset[int]

    @property
    def is_staff(self) -> bool:
        return self.is_active and self.role in (Role.ADMIN, Role.AGENT)


def load_viewers(user_ids: Iterable[int]) -> dict[int, Viewer]:
    """The current role, activity and groups of ``user_ids``: two queries for any number.

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
    return {
        pk: Viewer(pk, role, active, frozenset(memberships[pk]))
        for pk, role, active in User.objects.filter(pk__in=wanted).values_list(
            "pk", "role", "is_active"
        )
    }


def sees_ticket(viewer: Viewer, *, group_id: int | None, assignee_id: int | None) -> bool:
    """``visible_tickets`` for staff: admins all; agents their groups, ungrouped, their own."""
    if not viewer.is_staff:
        return False
    if viewer.role == Role.ADMIN:
        return True
    return group_id is None or group_id in viewer.group_ids or assignee_id == viewer.user_id


def may_receive(viewer: Viewer, event: LiveEvent, *, watching: int | None) -> bool:
    """Whether a socket of ``viewer`` (showing ticket ``watching``, if any) gets ``event``."""
    if not viewer.is_staff:
        return False
    if event.user_id is not None:
        return event.user_id == viewer.user_id
    if event.type == "presence" and event.ticket_id != watching:
        return False
    if event.ticket_id is None:
        return False
    return sees_ticket(viewer, group_id=event.group_id, assignee_id=event.assignee_id)

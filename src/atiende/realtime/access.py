"""Who may receive which live event: the scope of ``tickets.visibility`` applied to the
routing columns an event carries instead of to a query.

A web process keeps one ``Viewer`` per connected user and refreshes it every few seconds
(``load_viewers``: two queries for all of them), so a role change, a suspension or a removal
from a group takes effect without a reconnect.
"""

from __future__ import annotations

from atiende.realtime.models import LiveEvent
from atiende.tickets import visibility

Viewer = visibility.Viewer
load_viewers = visibility.load_viewers


def may_receive(viewer: Viewer, event: LiveEvent, *, watching: int | None) -> bool:
    """Whether a socket of ``viewer`` (showing ticket ``watching``, if any) gets ``event``.

    Only staff connect. The log carries no organization: staff scopes never read it.
    """
    if not viewer.is_staff:
        return False
    if event.user_id is not None:
        return event.user_id == viewer.user_id
    if event.type == "presence" and event.ticket_id != watching:
        return False
    if event.ticket_id is None:
        return False
    return viewer.scope.admits(
        group_id=event.group_id,
        assignee_id=event.assignee_id,
        requester_id=event.requester_id,
        organization_id=None,
    )

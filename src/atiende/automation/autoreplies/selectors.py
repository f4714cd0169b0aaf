"""Announcements running at a moment."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from atiende.automation.models import Announcement


def running_announcements(at: datetime, *, group_id: int | None) -> QuerySet[Announcement]:
    """Announcements whose window holds ``at`` (start included, end excluded), for every
    group or for ``group_id``; oldest start first."""
    groups = Q(group__isnull=True)
    if group_id is not None:
        groups |= Q(group_id=group_id)
    return Announcement.objects.filter(groups, starts_at__lte=at, ends_at__gt=at).order_by(
        "starts_at", "id"
    )

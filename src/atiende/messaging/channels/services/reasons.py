"""The reasons the channel rows record: how an error reads, and a payload quarantined with one.

Shared by `receiving` (a refused signature) and `processing` (an unreadable or refused
payload); `deliveries` bounds a sent message's reason by the same ``MAX_REASON``.
"""

from __future__ import annotations

from django.utils import timezone

from atiende.core.errors import AtiendeError
from atiende.messaging.models import ChannelPayload, ChannelPayloadState

MAX_REASON = 2_000


def quarantine(row_id: int, reason: str) -> None:
    """Record a failure in its own statement (a failed transaction was rolled back)."""
    ChannelPayload.objects.filter(pk=row_id, state=ChannelPayloadState.RECEIVED).update(
        state=ChannelPayloadState.QUARANTINED,
        reason=reason[:MAX_REASON],
        processed_at=timezone.now(),
    )


def describe(exc: BaseException) -> str:
    """One readable line: a service error's message and its fields, else the type."""
    if isinstance(exc, AtiendeError):
        details = "; ".join(
            f"{e.field}: {e.message}" for e in exc.errors if str(e.message) != str(exc.detail)
        )
        fields = ", ".join(e.field for e in exc.errors)
        text = f"{exc.detail} {details}" if details else str(exc.detail)
        if fields and not details:
            text = f"{text} ({fields})"
        return " ".join(text.split())
    return " ".join(f"{type(exc).__name__}: {exc}".split())

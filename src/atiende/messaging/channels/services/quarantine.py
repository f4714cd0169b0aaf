"""An admin's decisions on a channel payload that could not be processed: try it again, or
put it aside. Mail's quarantine (``messaging.services``) offers the same two.

Nothing is deleted: a discarded payload is kept as ``ignored`` with who discarded it, so the
raw request stays for the record and ``retry`` can still bring it back. A retry goes through
``process`` like any payload: one whose signature was never checked is refused again.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import Conflict, NotFound
from atiende.core.permissions import require_admin
from atiende.messaging.channels.services.processing import process
from atiende.messaging.channels.services.reasons import MAX_REASON
from atiende.messaging.models import ChannelPayload, ChannelPayloadState

# What the quarantine lists and an admin can decide on.
HELD = (ChannelPayloadState.QUARANTINED, ChannelPayloadState.IGNORED)


def retry_payload(
    actor: Actor, *, payload_id: int, account_id: int | None = None
) -> ChannelPayload:
    """Process the payload again (after fixing the account's secrets or group, say).
    ``account_id``: only a payload of that account (another's is ``NotFound``)."""
    require_admin(actor)
    with transaction.atomic():
        row = _held(
            payload_id,
            HELD,
            _("only quarantined or ignored payloads can be retried"),
            account_id=account_id,
        )
        ChannelPayload.objects.filter(pk=row.pk).update(
            state=ChannelPayloadState.RECEIVED, reason="", processed_at=None, attempts=0
        )
    return process(row.pk)


@transaction.atomic
def discard_payload(
    actor: Actor, *, payload_id: int, account_id: int | None = None
) -> ChannelPayload:
    """Put a quarantined payload aside: kept as ignored, saying who discarded it and why it had
    been quarantined. ``account_id``: only a payload of that account."""
    require_admin(actor)
    row = _held(
        payload_id,
        (ChannelPayloadState.QUARANTINED,),
        _("only quarantined payloads can be put aside"),
        account_id=account_id,
    )
    who = actor.user.display_name if actor.user is not None else _("an admin")
    note = _("Discarded by %(who)s.") % {"who": who}
    row.state = ChannelPayloadState.IGNORED
    row.reason = f"{note} {row.reason}".strip()[:MAX_REASON]
    row.processed_at = timezone.now()
    row.save(update_fields=["state", "reason", "processed_at"])
    return row


def _held(
    payload_id: int,
    states: tuple[ChannelPayloadState, ...],
    rule: str,
    *,
    account_id: int | None = None,
) -> ChannelPayload:
    rows = ChannelPayload.objects.select_for_update().defer("body").filter(pk=payload_id)
    if account_id is not None:
        rows = rows.filter(account_id=account_id)
    row = rows.first()
    if row is None:
        raise NotFound(_("Channel payload not found."))
    if row.state not in states:
        raise Conflict(
            _("This payload is %(state)s: %(rule)s.")
            % {"state": row.get_state_display(), "rule": rule}
        )
    return row

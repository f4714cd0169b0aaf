"""Reads of the channel accounts and their held payloads for the settings screen and the API
(admins). Views call these instead of the models.

An account is read with what its list row shows: when its last payload arrived and how many
wait in quarantine. Its webhook URL is built on ``ATIENDE_SITE_URL``, the address providers
reach this help desk at (an admin may be browsing through another).
"""

from __future__ import annotations

import contextlib
import json

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import Invalid, NotFound
from atiende.core.pagination import Page, SortKey, paginate
from atiende.core.permissions import require_admin
from atiende.messaging.channels.services.accounts import stored_secret_names
from atiende.messaging.channels.services.quarantine import HELD
from atiende.messaging.models import (
    ChannelAccount,
    ChannelPayload,
    ChannelPayloadState,
    ChannelProvider,
)

BY_NAME = SortKey("name", False, str)
PREVIEW_CHARS = 8_000
PAYLOAD_FIELDS = (
    "pk",
    "account",
    "method",
    "url",
    "headers",
    "query",
    "received_at",
    "verified_at",
    "state",
    "reason",
    "attempts",
    "processed_at",
)


def _accounts() -> QuerySet[ChannelAccount]:
    """The accounts an admin configures here: an alert inbox's account is the mailbox's
    (``messaging.alert_inboxes``), set up on the mailbox's settings."""
    found = ChannelAccount.objects.exclude(provider=ChannelProvider.ALERT_EMAIL)
    return found.select_related("group").annotate(
        last_received_at=Max("payloads__received_at"),
        quarantined_count=Count(
            "payloads", filter=Q(payloads__state=ChannelPayloadState.QUARANTINED)
        ),
    )


def list_accounts(
    actor: Actor, *, limit: int = 50, cursor: str | None = None
) -> Page[ChannelAccount]:
    """Accounts by name, each with ``last_received_at`` and ``quarantined_count``."""
    require_admin(actor)
    return paginate(_accounts(), BY_NAME, limit=limit, cursor=cursor)


def get_account(actor: Actor, account_id: int) -> ChannelAccount:
    require_admin(actor)
    account = _accounts().filter(pk=account_id).first()
    if account is None:
        raise NotFound(_("Channel account not found."))
    return account


def webhook_url(account: ChannelAccount) -> str:
    """The URL to give the provider (it changes when the key is rotated)."""
    site = str(getattr(settings, "ATIENDE_SITE_URL", "")).rstrip("/")
    return site + reverse("hooks:webhook", kwargs={"webhook_key": account.webhook_key})


def secret_names(account: ChannelAccount) -> list[str]:
    """The names of the secrets stored for ``account`` (never their values); empty when they
    cannot be read with today's keys."""
    return stored_secret_names(account)


def held_payloads(
    actor: Actor, *, state: str | None = None, account_id: int | None = None
) -> QuerySet[ChannelPayload]:
    """The quarantine list (admins): quarantined and ignored payloads, or only ``state``; no
    bodies."""
    require_admin(actor)
    if state is not None and state not in HELD:
        raise Invalid.field(
            "state", _("Choose one of: %(choices)s.") % {"choices": ", ".join(HELD)}
        )
    rows = ChannelPayload.objects.filter(state__in=(state,) if state else HELD)
    if account_id is not None:
        rows = rows.filter(account_id=account_id)
    return rows.select_related("account").only(
        *PAYLOAD_FIELDS, "account__name", "account__provider"
    )


def get_payload(actor: Actor, payload_id: int, *, account_id: int | None = None) -> ChannelPayload:
    """One stored payload, body included (admins); with ``account_id``, only one of that
    account's (another's is ``NotFound``, as a missing one)."""
    require_admin(actor)
    rows = ChannelPayload.objects.select_related("account").filter(pk=payload_id)
    if account_id is not None:
        rows = rows.filter(account_id=account_id)
    found = rows.first()
    if found is None:
        raise NotFound(_("Channel payload not found."))
    return found


def body_preview(payload: ChannelPayload) -> tuple[str, bool]:
    """The body as text to show (JSON indented), and whether it was cut short. The caller
    escapes it: it is whatever the sender chose to send."""
    raw = bytes(payload.body)
    text = raw.decode("utf-8", errors="replace")
    with contextlib.suppress(ValueError, RecursionError):
        text = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    return text[:PREVIEW_CHARS], len(text) > PREVIEW_CHARS

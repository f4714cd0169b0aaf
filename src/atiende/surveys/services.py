"""The only writers of the surveys' tables: ask after a resolution, record a rating (from a
link or the portal), a comment, an opt-out; change the settings; the NPS round.

A CSAT is asked each time a ticket enters a solved status (an *episode*: the first solving is
episode 1, a reopened and solved again ticket asks again as episode 2), unless the ticket was
solved again within ``QUIET`` of the last ask (an undo, the same episode). The mail leaves
after the commit through the outbox (``surveys.mail``).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from atiende.accounts.models import Role, User
from atiende.core.actor import Actor, Source
from atiende.core.errors import ErrorCollector, Invalid
from atiende.core.event_types import TicketRated
from atiende.core.events import publish
from atiende.core.language import or_default
from atiende.core.permissions import require_admin
from atiende.core.services import check_changes
from atiende.messaging.outbound.queue import deliverable, is_own_address
from atiende.messaging.selectors import last_inbound_was_automatic
from atiende.outbox.services import enqueue
from atiende.surveys import links, scales
from atiende.surveys.errors import (
    AlreadyRated,
    LinkDamaged,
    NotSolved,
    SurveyExpired,
    SurveyNotFound,
)
from atiende.surveys.models import (
    Kind,
    RatingChange,
    Scale,
    SurveyOptOut,
    SurveyRequest,
    SurveySettings,
)
from atiende.surveys.selectors import own_ticket, survey_settings
from atiende.tickets.models import StatusCategory, Ticket
from atiende.tickets.selectors import visible_tickets

READER = Actor.system("surveys")
QUIET = timedelta(minutes=1)
MAIL = "surveys.mail"
MAX_COMMENT = 5_000
# Local parts that never read their mail: a survey there only bounces or feeds a robot.
AUTOMATIC_LOCAL = re.compile(
    r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer[-_.]daemon|postmaster|bounces?|notifications?)"
    r"([-+_.].*)?$",
    re.IGNORECASE,
)


# --- asking -------------------------------------------------------------------------------


def is_automatic_address(address: str) -> bool:
    """An address no person reads (``no-reply@``, ``mailer-daemon@``…)."""
    return bool(AUTOMATIC_LOCAL.match(address.rpartition("@")[0].strip()))


def opted_out(customer_id: int) -> bool:
    return SurveyOptOut.objects.filter(customer_id=customer_id).exists()


def mail_address(ticket: Ticket | None, customer: User) -> str:
    """Where the survey may be mailed, or "" when it must not be: no address, an inactive
    or opted-out customer, an automatic, reserved or own address, or a ticket whose latest
    mail from the customer was machine-generated (as the auto-replies decide)."""
    address = (customer.email or "").strip()
    if not address or not customer.is_active or customer.role != Role.CUSTOMER:
        return ""
    if not deliverable(address) or is_own_address(address) or is_automatic_address(address):
        return ""
    if ticket is not None and last_inbound_was_automatic(ticket.pk):
        return ""
    if opted_out(customer.pk):
        return ""
    return address


def customer_language(customer: User, ticket: Ticket | None) -> str:
    """The customer's chosen language, else the one their ticket was written in, else the
    default (Spanish)."""
    written = str(getattr(ticket, "language", "") or "") if ticket is not None else ""
    return or_default(customer.locale or written)


def _new_request(
    *,
    kind: str,
    customer: User,
    scale: str,
    settings: SurveySettings,
    now: datetime,
    ticket: Ticket | None = None,
    episode: int = 1,
) -> SurveyRequest:
    return SurveyRequest.objects.create(
        kind=kind,
        ticket=ticket,
        episode=episode,
        customer=customer,
        agent_id=ticket.assignee_id if ticket is not None else None,
        group_id=ticket.group_id if ticket is not None else None,
        scale=scale,
        token=links.new_token(),
        language=customer_language(customer, ticket),
        created_at=now,
        expires_at=now + timedelta(days=settings.link_days),
    )


@transaction.atomic
def ask_after_resolution(ticket_id: int, *, now: datetime | None = None) -> SurveyRequest | None:
    """Open the CSAT of the ticket's new resolution episode and promise its mail; None when
    CSAT is off, the requester is no customer, or it was asked within ``QUIET`` (the same
    episode solved again)."""
    now = now or timezone.now()
    settings = survey_settings()
    if not settings.csat_enabled:
        return None
    ticket = (
        visible_tickets(READER).select_related("requester", "status").filter(pk=ticket_id).first()
    )
    if ticket is None or ticket.requester.role != Role.CUSTOMER:
        return None
    last = (
        SurveyRequest.objects.filter(kind=Kind.CSAT, ticket_id=ticket.pk)
        .order_by("-episode")
        .first()
    )
    if last is not None and now - last.created_at < QUIET:
        return None
    request = _new_request(
        kind=Kind.CSAT,
        customer=ticket.requester,
        scale=settings.csat_scale,
        settings=settings,
        now=now,
        ticket=ticket,
        episode=last.episode + 1 if last is not None else 1,
    )
    if mail_address(ticket, ticket.requester):
        enqueue(MAIL, payload={"request_id": request.pk}, key=f"{MAIL}:{request.pk}")
    return request


@transaction.atomic
def mark_mailed(request_id: int) -> None:
    SurveyRequest.objects.filter(pk=request_id).update(mailed=True)


# --- answering --------------------------------------------------------------------------


def request_of_link(claim: links.LinkClaim) -> SurveyRequest:
    """The request a (correctly signed) link names, only when the link's ticket, episode and
    token are the request's own: else ``SurveyNotFound`` (never which part was wrong)."""
    request = SurveyRequest.objects.select_related("ticket").filter(pk=claim.request_id).first()
    if (
        request is None
        or request.ticket_id != claim.ticket_id
        or request.episode != claim.episode
        or not constant_time_compare(request.token, claim.token)
    ):
        raise SurveyNotFound()
    return request


def _check_can_answer(request: SurveyRequest, settings: SurveySettings, now: datetime) -> None:
    if now >= request.expires_at:
        raise SurveyExpired()
    if request.rating is None:
        return
    if not settings.allow_change:
        raise AlreadyRated()
    first_at = request.history.order_by("at", "pk").values_list("at", flat=True).first()
    if first_at is not None and now > first_at + timedelta(days=settings.change_days):
        raise AlreadyRated()


def _record(
    request: SurveyRequest,
    *,
    rating: int,
    via: str,
    actor: Actor,
    now: datetime,
) -> SurveyRequest:
    settings = survey_settings()
    _check_can_answer(request, settings, now)
    old = request.rating
    request.rating, request.rated_at = rating, now
    request.save(update_fields=["rating", "rated_at"])
    RatingChange.objects.create(request=request, rating=rating, old_rating=old, via=via, at=now)
    if request.kind == Kind.CSAT and request.ticket_id is not None and old != rating:
        publish(
            TicketRated(
                ticket_id=request.ticket_id,
                request_id=request.pk,
                episode=request.episode,
                rating=scales.label(request.scale, rating) or "",
                old_rating=scales.label(request.scale, old),
                actor_id=actor.user_id,
                source=str(actor.source),
                source_detail=actor.detail,
            )
        )
    return request


def _locked(request_id: int) -> SurveyRequest:
    found = SurveyRequest.objects.select_for_update().filter(pk=request_id).first()
    if found is None:
        raise SurveyNotFound()
    return found


def _locked_request_of(signed: str) -> SurveyRequest:
    """The survey request a mailed link names, locked (``LinkDamaged`` for a forged link)."""
    try:
        claim = links.read(signed)
    except links.BadLink as error:
        raise LinkDamaged() from error
    return _locked(request_of_link(claim).pk)


@transaction.atomic
def rate_by_link(signed: str, *, value: str, now: datetime | None = None) -> SurveyRequest:
    """Record the rating a mailed link's button stands for (one click, no sign-in)."""
    now = now or timezone.now()
    request = _locked_request_of(signed)
    rating = scales.parse(request.scale, value)
    if rating is None:
        raise LinkDamaged()
    customer = User.objects.get(pk=request.customer_id)
    actor = Actor(user=customer, source=Source.WEB, detail="survey:email")
    if request.rating == rating:  # the same click again: thanked again, nothing changes
        if now >= request.expires_at:
            raise SurveyExpired()
        return request
    return _record(request, rating=rating, via="email", actor=actor, now=now)


@transaction.atomic
def comment_by_link(signed: str, *, comment: str, now: datetime | None = None) -> SurveyRequest:
    """Add the customer's optional comment to the rating their link recorded."""
    now = now or timezone.now()
    request = _locked_request_of(signed)
    if now >= request.expires_at:
        raise SurveyExpired()
    return _set_comment(request, comment)


def _set_comment(request: SurveyRequest, comment: str) -> SurveyRequest:
    errors = ErrorCollector()
    text = comment.replace("\x00", "").strip()
    if len(text) > MAX_COMMENT:
        errors.add("comment", _("At most %(max)d characters.") % {"max": MAX_COMMENT})
    if request.rating is None:
        errors.add("comment", _("Choose a rating first."))
    errors.raise_if_any()
    request.comment = text
    request.save(update_fields=["comment"])
    return request


@transaction.atomic
def opt_out_by_link(signed: str, *, now: datetime | None = None) -> None:
    """The customer of the link asks for no more surveys."""
    try:
        claim = links.read(signed)
    except links.BadLink as error:
        raise LinkDamaged() from error
    request = request_of_link(claim)
    SurveyOptOut.objects.get_or_create(
        customer_id=request.customer_id, defaults={"at": now or timezone.now()}
    )


def _own_solved_ticket(actor: Actor, ticket_id: int) -> Ticket:
    ticket = own_ticket(actor, ticket_id)
    if ticket.status.category not in (StatusCategory.SOLVED, StatusCategory.CLOSED):
        raise NotSolved()
    return ticket


@transaction.atomic
def rate_in_portal(
    actor: Actor,
    *,
    ticket_id: int,
    value: str,
    comment: str | None = None,
    now: datetime | None = None,
) -> SurveyRequest:
    """A signed-in customer rates the latest resolution of a solved request of theirs."""
    now = now or timezone.now()
    ticket = _own_solved_ticket(actor, ticket_id)
    settings = survey_settings()
    request = (
        SurveyRequest.objects.select_for_update()
        .filter(kind=Kind.CSAT, ticket_id=ticket.pk)
        .order_by("-episode")
        .first()
    )
    if request is None:  # solved before surveys were on: its first episode, asked here
        assert actor.user is not None
        request = _new_request(
            kind=Kind.CSAT,
            customer=actor.user,
            scale=settings.csat_scale,
            settings=settings,
            now=now,
            ticket=ticket,
        )
    rating = scales.parse(request.scale, value)
    if rating is None:
        raise Invalid.field("rating", _("Choose one of the offered ratings."))
    if request.rating != rating:
        _record(request, rating=rating, via="portal", actor=actor, now=now)
    elif now >= request.expires_at:
        raise SurveyExpired()
    if comment is not None and comment.strip():
        _set_comment(request, comment)
    return request


# --- settings ----------------------------------------------------------------------------

SETTING_FIELDS = {
    "csat_enabled": bool,
    "csat_scale": str,
    "allow_change": bool,
    "change_days": int,
    "link_days": int,
    "nps_enabled": bool,
    "nps_quiet_days": int,
    "pulse_enabled": bool,
    "pulse_every_days": int,
    "pulse_min_answers": int,
}
LIMITS = {
    "change_days": (0, 365),
    "link_days": (1, 365),
    "nps_quiet_days": (1, 3650),
    "pulse_every_days": (1, 365),
    "pulse_min_answers": (1, 1000),
}


@transaction.atomic
def update_settings(actor: Actor, *, changes: dict[str, Any]) -> SurveySettings:
    """Change the survey settings (admins), naming each bad field."""
    require_admin(actor)
    check_changes(changes, allowed=set(SETTING_FIELDS))
    errors = ErrorCollector()
    current = survey_settings(for_update=True)
    for name, value in changes.items():
        kind = SETTING_FIELDS[name]
        if kind is bool and not isinstance(value, bool):
            errors.add(name, _("Expected true or false."))
        elif kind is int:
            low, high = LIMITS[name]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                errors.add(
                    name,
                    _("A whole number from %(low)d to %(high)d.") % {"low": low, "high": high},
                )
        elif name == "csat_scale" and value not in (Scale.GOOD_BAD, Scale.FIVE):
            errors.add(name, _("Choose good/bad or 1 to 5."))
    errors.raise_if_any()
    for name, value in changes.items():
        setattr(current, name, value)
    if changes:
        current.save(update_fields=list(changes))
    return current

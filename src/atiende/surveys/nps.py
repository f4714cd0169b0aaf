"""The periodic NPS survey: "Would you recommend us?" 0–10, per customer, after a resolution,
never twice within the quiet period (``nps_quiet_days``). Run daily by ``tasks.send_nps``;
``now`` is the clock (tests move it)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from atiende.accounts.models import Role
from atiende.outbox.services import enqueue
from atiende.surveys import links, services
from atiende.surveys.models import Kind, Scale, SurveyOptOut, SurveyRequest
from atiende.surveys.selectors import survey_settings
from atiende.tickets.selectors import visible_tickets

# A customer is asked about a resolution of the last days, not of long ago.
AFTER_RESOLUTION = timedelta(days=7)
BATCH = 500


@transaction.atomic
def send_nps(*, now: datetime | None = None) -> int:
    """Ask every customer with a recent resolution who was not asked within the quiet period;
    returns how many were asked."""
    now = now or timezone.now()
    settings = survey_settings()
    if not settings.nps_enabled:
        return 0
    solved = (
        visible_tickets(services.READER)
        .filter(
            solved_at__gte=now - AFTER_RESOLUTION,
            solved_at__lte=now,
            requester__role=Role.CUSTOMER,
            requester__is_active=True,
        )
        .select_related("requester")
        .order_by("requester_id", "-solved_at")
    )
    quiet = set(
        SurveyRequest.objects.filter(
            kind=Kind.NPS, created_at__gt=now - timedelta(days=settings.nps_quiet_days)
        ).values_list("customer_id", flat=True)
    )
    quiet |= set(SurveyOptOut.objects.values_list("customer_id", flat=True))
    asked = 0
    seen: set[int] = set()
    for ticket in solved[: BATCH * 4]:
        customer = ticket.requester
        if customer.pk in seen or customer.pk in quiet:
            continue
        seen.add(customer.pk)
        if not services.mail_address(ticket, customer):
            continue
        request = SurveyRequest.objects.create(
            kind=Kind.NPS,
            ticket=ticket,
            episode=0,
            customer=customer,
            agent_id=ticket.assignee_id,
            group_id=ticket.group_id,
            scale=Scale.NPS,
            token=links.new_token(),
            language=services.customer_language(customer, ticket),
            created_at=now,
            expires_at=now + timedelta(days=settings.link_days),
        )
        enqueue(
            services.MAIL, payload={"request_id": request.pk}, key=f"{services.MAIL}:{request.pk}"
        )
        asked += 1
        if asked >= BATCH:
            break
    return asked

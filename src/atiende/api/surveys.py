"""/tickets/{id}/ratings (staff), /surveys/summary and /surveys/settings (administrators).

A ticket's ratings are read through the ticket gate: a ticket the caller cannot see is a 404,
and customers (who rate through their mail's links or the portal) are refused here.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from atiende.api.auth import actor
from atiende.api.schemas.common import Id, UpdateIn, errors
from atiende.core.permissions import require_staff
from atiende.surveys import selectors, services
from atiende.tickets.selectors import get_ticket

router = Router(tags=["surveys"])


class RatingOut(Schema):
    request_id: int
    episode: int
    scale: str
    rating: str | None
    satisfied: bool
    comment: str
    asked_at: datetime.datetime
    rated_at: datetime.datetime | None


class ShareOut(Schema):
    label: str
    asked: int
    rated: int
    satisfied: int
    csat: int | None
    response_rate: int | None


class NpsOut(Schema):
    answers: int
    promoters: int
    passives: int
    detractors: int
    score: int | None
    distribution: list[int]


class SummaryOut(Schema):
    days: int
    total: ShareOut
    periods: list[ShareOut]
    agents: list[ShareOut]
    groups: list[ShareOut]
    nps: NpsOut | None


class SummaryIn(Schema):
    days: Annotated[int, Field(ge=1, le=365)] = 30


class SettingsOut(Schema):
    csat_enabled: bool
    csat_scale: str
    allow_change: bool
    change_days: int
    link_days: int
    nps_enabled: bool
    nps_quiet_days: int
    pulse_enabled: bool
    pulse_every_days: int
    pulse_min_answers: int


Days = Annotated[int, Field(ge=0, le=3650)]


class SettingsIn(UpdateIn):
    csat_enabled: bool | None = None
    csat_scale: Literal["good_bad", "five"] | None = None
    allow_change: bool | None = None
    change_days: Days | None = None
    link_days: Days | None = None
    nps_enabled: bool | None = None
    nps_quiet_days: Days | None = None
    pulse_enabled: bool | None = None
    pulse_every_days: Days | None = None
    pulse_min_answers: Days | None = None


def _share(share: selectors.Share) -> dict[str, Any]:
    return {
        "label": share.label,
        "asked": share.asked,
        "rated": share.rated,
        "satisfied": share.satisfied,
        "csat": share.csat,
        "response_rate": share.response_rate,
    }


@router.get(
    "/tickets/{ticket_id}/ratings", response={200: list[RatingOut], **errors(403, 404, 422)}
)
def ticket_ratings(request: HttpRequest, ticket_id: Id) -> Any:
    """Each resolution episode's satisfaction survey of the ticket, oldest first (staff)."""
    caller = actor(request)
    require_staff(caller)
    get_ticket(caller, ticket_id)  # a ticket the caller cannot see is a 404
    return selectors.ticket_ratings(caller, ticket_id)


@router.get("/surveys/summary", response={200: SummaryOut, **errors(403, 422)})
def summary(request: HttpRequest, query: Query[SummaryIn]) -> Any:
    """CSAT and response rate over 7/30/90 days, per agent and group, and NPS when it is on."""
    report = selectors.satisfaction_report(actor(request), days=query.days)
    nps = report.nps
    return {
        "days": report.days,
        "total": _share(report.total),
        "periods": [_share(s) for s in report.periods],
        "agents": [_share(s) for s in report.agents],
        "groups": [_share(s) for s in report.groups],
        "nps": None
        if nps is None
        else {
            "answers": nps.answers,
            "promoters": nps.promoters,
            "passives": nps.passives,
            "detractors": nps.detractors,
            "score": nps.score,
            "distribution": nps.distribution,
        },
    }


@router.get("/surveys/settings", response={200: SettingsOut, **errors(403, 422)})
def read_settings(request: HttpRequest) -> Any:
    return selectors.settings_for(actor(request))


@router.patch("/surveys/settings", response={200: SettingsOut, **errors(403, 422)})
def update_settings(request: HttpRequest, payload: SettingsIn) -> Any:
    """Change the settings given (administrators); each bad one is named."""
    changes = payload.model_dump(exclude_unset=True)
    return services.update_settings(actor(request), changes=changes)

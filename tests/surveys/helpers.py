"""Shared steps of the surveys tests: a customer who can receive mail, solving and reopening."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core import mail

from atiende.accounts.models import User
from atiende.outbox.delivery import deliver_due
from atiende.outbox.models import Effect
from atiende.surveys.models import SurveyRequest
from atiende.tickets import services as tickets
from atiende.tickets.models import Ticket
from tests.factories import SYSTEM, make_customer, make_ticket

LINK = re.compile(r"https?://[^/\s]+(/survey/[^/\s]+/[\w-]+/)")


def mailable_customer(**fields: Any) -> User:
    fields.setdefault("email", f"cliente{User.objects.count() + 1}@cliente.test")
    return make_customer(**fields)


def new_ticket(customer: User | None = None, **fields: Any) -> Ticket:
    return make_ticket(customer or mailable_customer(), **fields)


def set_status(on_commit: Callable[..., Any], ticket: Ticket, status: str) -> None:
    with on_commit():
        tickets.update_ticket(SYSTEM, ticket_id=ticket.pk, version=None, changes={"status": status})
    deliver_due()  # the worker: mail leaves outside the change's transaction


def requests_of(ticket: Ticket) -> list[SurveyRequest]:
    return list(SurveyRequest.objects.filter(ticket=ticket, kind="csat").order_by("episode"))


def survey_mails(to: str | None = None) -> list[Any]:
    found = [m for m in mail.outbox if m.message()["X-Atiende-Survey"]]
    return [m for m in found if to is None or to in m.to]


def text_of(sent: Any) -> str:
    body = sent.message().get_body(("plain",))
    return str(body.get_content())


def links_in(sent: Any) -> dict[str, str]:
    """The rating paths of a survey mail, by value ("good", "bad", "1"…)."""
    paths = LINK.findall(text_of(sent))
    found = {path.rstrip("/").rsplit("/", 1)[1]: path for path in paths}
    found.pop("opt-out", None)
    return found


def survey_effects() -> int:
    return Effect.objects.filter(kind="surveys.mail").count()

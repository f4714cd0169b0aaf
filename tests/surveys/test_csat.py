"""CSAT on every resolution: one survey per episode, mailed once, never to automatic
addresses or customers who opted out; the link records, refuses tampering, other tickets,
expiry and a second rating when changing is not allowed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from atiende.core.event_types import TicketRated
from atiende.surveys import links, services
from atiende.surveys.errors import AlreadyRated, LinkDamaged, SurveyExpired, SurveyNotFound
from atiende.surveys.mail import link_for
from atiende.surveys.models import RatingChange, SurveyOptOut
from tests.factories import SYSTEM, make_agent, make_customer
from tests.surveys.helpers import (
    links_in,
    mailable_customer,
    new_ticket,
    requests_of,
    set_status,
    survey_effects,
    survey_mails,
    text_of,
)

pytestmark = pytest.mark.django_db


def solve_reopen_solve(on_commit: Callable[..., Any], ticket: Any) -> None:
    set_status(on_commit, ticket, "solved")
    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=False):
        set_status(on_commit, ticket, "open")
        set_status(on_commit, ticket, "solved")


def test_every_resolution_asks_again_with_its_own_episode(on_commit: Callable[..., Any]) -> None:
    ticket = new_ticket()
    solve_reopen_solve(on_commit, ticket)
    first, second = requests_of(ticket)
    assert (first.episode, second.episode) == (1, 2)
    assert first.token != second.token
    assert len(survey_mails(ticket.requester.email)) == 2
    assert survey_effects() == 2


def test_solved_again_within_the_quiet_minute_is_the_same_episode(
    on_commit: Callable[..., Any],
) -> None:
    ticket = new_ticket()
    set_status(on_commit, ticket, "solved")
    set_status(on_commit, ticket, "open")  # an undo
    set_status(on_commit, ticket, "solved")
    assert len(requests_of(ticket)) == 1
    assert len(survey_mails()) == 1 and survey_effects() == 1


def test_the_mail_goes_once_in_the_customers_language_with_one_click_links(
    on_commit: Callable[..., Any],
) -> None:
    customer = mailable_customer(locale="es", name="Ana")
    ticket = new_ticket(customer, subject="La impresora")
    set_status(on_commit, ticket, "solved")
    [sent] = survey_mails(customer.email)
    message = sent.message()
    assert message["Auto-Submitted"] == "auto-generated"
    assert f"[#{ticket.number}]" in message["Subject"]
    text = text_of(sent)
    assert "Hola, Ana:" in text or "Hello, Ana:" in text
    assert set(links_in(sent)) == {"good", "bad"}
    # the outbox row delivered again does not mail twice
    [request] = requests_of(ticket)
    from atiende.outbox.registry import Delivery
    from atiende.surveys.mail import send_survey

    send_survey(Delivery("surveys.mail", "k", {"request_id": request.pk}, 2))
    assert len(survey_mails()) == 1


@pytest.mark.parametrize(
    "email",
    [
        "no-reply@cliente.test",
        "noreply@cliente.test",
        "mailer-daemon@cliente.test",
        "ana@example.com",
    ],
)
def test_no_survey_to_automatic_or_reserved_addresses(
    on_commit: Callable[..., Any], email: str
) -> None:
    ticket = new_ticket(make_customer(email=email))
    set_status(on_commit, ticket, "solved")
    assert survey_mails() == [] and survey_effects() == 0
    assert len(requests_of(ticket)) == 1  # still rateable in the portal


def test_no_survey_to_a_customer_who_opted_out(on_commit: Callable[..., Any]) -> None:
    customer = mailable_customer()
    first = new_ticket(customer)
    set_status(on_commit, first, "solved")
    assert len(survey_mails()) == 1
    [request] = requests_of(first)
    services.opt_out_by_link(link_for(request))
    assert SurveyOptOut.objects.filter(customer=customer).exists()
    mail.outbox.clear()
    set_status(on_commit, new_ticket(customer), "solved")
    assert survey_mails() == []


def test_no_survey_when_the_requester_is_staff(on_commit: Callable[..., Any]) -> None:
    ticket = new_ticket(make_agent(email="agente@equipo.test"))
    set_status(on_commit, ticket, "solved")
    assert requests_of(ticket) == []


def test_a_link_records_the_rating_and_publishes_it(
    on_commit: Callable[..., Any], published: list[Any]
) -> None:
    ticket = new_ticket()
    set_status(on_commit, ticket, "solved")
    [request] = requests_of(ticket)
    signed = link_for(request)
    services.rate_by_link(signed, value="bad")
    services.rate_by_link(signed, value="good")  # changed within the window: the last wins
    request.refresh_from_db()
    assert request.rating == 1 and request.rated_at is not None
    assert [(c.old_rating, c.rating) for c in RatingChange.objects.order_by("pk")] == [
        (None, 0),
        (0, 1),
    ]
    rated = [e for e in published if isinstance(e, TicketRated)]
    assert [(e.old_rating, e.rating, e.episode) for e in rated] == [
        (None, "bad", 1),
        ("bad", "good", 1),
    ]


def test_a_tampered_link_is_refused(on_commit: Callable[..., Any]) -> None:
    ticket = new_ticket()
    set_status(on_commit, ticket, "solved")
    signed = link_for(requests_of(ticket)[0])
    with pytest.raises(LinkDamaged):
        services.rate_by_link(
            signed[:-2] + ("AA" if not signed.endswith("AA") else "BB"), value="good"
        )
    with pytest.raises(LinkDamaged):
        services.rate_by_link(signed, value="excellent")  # not a value of the scale


def test_a_link_cannot_rate_another_ticket_or_episode(on_commit: Callable[..., Any]) -> None:
    mine, other = new_ticket(), new_ticket()
    set_status(on_commit, mine, "solved")
    set_status(on_commit, other, "solved")
    request = requests_of(mine)[0]
    other_request = requests_of(other)[0]
    # correctly signed claims that mix one request with another ticket, episode or token
    for claim in (
        links.LinkClaim(request.pk, other.pk, 1, request.token),
        links.LinkClaim(request.pk, mine.pk, 2, request.token),
        links.LinkClaim(request.pk, mine.pk, 1, other_request.token),
        links.LinkClaim(other_request.pk, other.pk, 1, request.token),
    ):
        with pytest.raises(SurveyNotFound):
            services.rate_by_link(links.sign(claim), value="good")
    other_request.refresh_from_db()
    assert other_request.rating is None


def test_an_expired_link_is_refused(on_commit: Callable[..., Any]) -> None:
    ticket = new_ticket()
    set_status(on_commit, ticket, "solved")
    signed = link_for(requests_of(ticket)[0])
    with pytest.raises(SurveyExpired):
        services.rate_by_link(signed, value="good", now=timezone.now() + timedelta(days=31))


def test_rating_twice_is_refused_when_changing_is_off_or_too_late(
    on_commit: Callable[..., Any],
) -> None:
    ticket = new_ticket()
    set_status(on_commit, ticket, "solved")
    signed = link_for(requests_of(ticket)[0])
    services.rate_by_link(signed, value="good")
    with pytest.raises(AlreadyRated):  # the change window (7 days) is over
        services.rate_by_link(signed, value="bad", now=timezone.now() + timedelta(days=8))
    services.update_settings(SYSTEM, changes={"allow_change": False})
    with pytest.raises(AlreadyRated):
        services.rate_by_link(signed, value="bad")
    services.rate_by_link(signed, value="good")  # the same answer again is thanked again
    assert requests_of(ticket)[0].rating == 1
    assert RatingChange.objects.count() == 1


def test_a_five_point_scale_links_five_values(on_commit: Callable[..., Any]) -> None:
    services.update_settings(SYSTEM, changes={"csat_scale": "five"})
    ticket = new_ticket()
    set_status(on_commit, ticket, "solved")
    [sent] = survey_mails()
    assert set(links_in(sent)) == {"1", "2", "3", "4", "5"}
    services.rate_by_link(link_for(requests_of(ticket)[0]), value="4")
    assert requests_of(ticket)[0].rating == 4


def test_settings_refuse_bad_values_naming_each_field() -> None:
    from atiende.core.errors import Forbidden, Invalid

    with pytest.raises(Invalid) as caught:
        services.update_settings(
            SYSTEM, changes={"csat_scale": "stars", "link_days": 0, "nps_enabled": "yes"}
        )
    assert {e.field for e in caught.value.errors} == {"csat_scale", "link_days", "nps_enabled"}
    from tests.factories import web

    with pytest.raises(Forbidden):
        services.update_settings(web(make_agent()), changes={"link_days": 3})

"""NPS: off by default, a quiet period per customer, the score. Pulse: anonymous by
construction, shown only from the minimum number of answers (per round and per group)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from atiende.core.errors import Conflict, Forbidden, Invalid
from atiende.surveys import pulse, services
from atiende.surveys.mail import link_for
from atiende.surveys.models import PulseAnswer, PulseParticipation, SurveyRequest
from atiende.surveys.nps import send_nps
from atiende.surveys.selectors import nps_score, satisfaction_report
from tests.factories import SYSTEM, make_admin, make_agent, make_customer, make_group, web
from tests.surveys.helpers import links_in, mailable_customer, new_ticket, set_status, survey_mails

pytestmark = pytest.mark.django_db


def nps_requests() -> list[SurveyRequest]:
    return list(SurveyRequest.objects.filter(kind="nps").order_by("pk"))


def test_nps_is_off_by_default(on_commit: Callable[..., Any]) -> None:
    set_status(on_commit, new_ticket(), "solved")
    assert send_nps() == 0 and nps_requests() == []


def test_nps_asks_once_per_quiet_period_on_a_controlled_clock(
    on_commit: Callable[..., Any],
) -> None:
    services.update_settings(SYSTEM, changes={"nps_enabled": True, "nps_quiet_days": 90})
    customer = mailable_customer()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        set_status(on_commit, new_ticket(customer), "solved")
        set_status(on_commit, new_ticket(customer), "solved")
        assert send_nps() == 1  # one per customer, not per ticket
    with time_machine.travel(start + timedelta(days=30), tick=False):
        set_status(on_commit, new_ticket(customer), "solved")
        assert send_nps() == 0  # within the quiet period
    with time_machine.travel(start + timedelta(days=91), tick=False):
        set_status(on_commit, new_ticket(customer), "solved")
        assert send_nps() == 1
    assert len(nps_requests()) == 2


def test_nps_never_to_opted_out_or_automatic_customers(on_commit: Callable[..., Any]) -> None:
    services.update_settings(SYSTEM, changes={"nps_enabled": True, "csat_enabled": False})
    robot = make_customer(email="no-reply@cliente.test")
    quiet = mailable_customer()
    set_status(on_commit, new_ticket(robot), "solved")
    set_status(on_commit, new_ticket(quiet), "solved")
    from atiende.surveys.models import SurveyOptOut

    SurveyOptOut.objects.create(customer=quiet, at=timezone.now())
    assert send_nps() == 0


def test_an_nps_link_records_0_to_10_and_the_score(on_commit: Callable[..., Any]) -> None:
    services.update_settings(SYSTEM, changes={"nps_enabled": True, "csat_enabled": False})
    customer = mailable_customer()
    set_status(on_commit, new_ticket(customer), "solved")
    with on_commit():
        send_nps()
    from atiende.outbox.delivery import deliver_due

    deliver_due()
    [sent] = survey_mails(customer.email)
    assert set(links_in(sent)) == {str(n) for n in range(11)}
    [request] = nps_requests()
    services.rate_by_link(link_for(request), value="10")
    report = satisfaction_report(web(make_admin()))
    assert report.nps is not None and report.nps.score == 100
    assert nps_score([10, 9, 8, 0]).score == 25  # 50 % promoters − 25 % detractors


def agents(count: int, *groups: Any) -> list[Any]:
    return [make_agent(*groups) for _ in range(count)]


def answer(agent: Any, score: int = 4, comment: str = "") -> None:
    pulse.answer_pulse(web(agent), tools=score, workload=score, support=score, comment=comment)


def test_pulse_answers_cannot_be_tied_to_their_agent() -> None:
    answer_fields = {f.name for f in PulseAnswer._meta.get_fields()}
    assert answer_fields == {"id", "round", "group", "tools", "workload", "support", "comment"}
    assert not any(
        getattr(f, "related_model", None) is not None
        and f.related_model._meta.label == "accounts.User"
        for f in PulseAnswer._meta.get_fields()
    )
    participation_fields = {f.name for f in PulseParticipation._meta.get_fields()}
    assert participation_fields == {"id", "round", "user", "answered"}
    agent = make_agent()
    answer(agent, 2, "Demasiado trabajo")
    stored = PulseAnswer.objects.get()
    assert isinstance(stored.pk, type(PulseAnswer._meta.pk.default()))  # a random id
    assert PulseParticipation.objects.get().user_id == agent.pk


def test_pulse_asks_once_per_round_and_again_next_round() -> None:
    agent = make_agent()
    assert pulse.is_due(web(agent))
    answer(agent)
    assert not pulse.is_due(web(agent))
    with pytest.raises(Conflict):
        answer(agent)
    later = timezone.now() + timedelta(days=15)
    assert pulse.is_due(web(agent), now=later)
    other = make_agent()
    pulse.dismiss_pulse(web(other))
    assert not pulse.is_due(web(other))
    assert PulseAnswer.objects.count() == 1


def test_pulse_refuses_bad_scores_and_customers() -> None:
    with pytest.raises(Invalid) as caught:
        pulse.answer_pulse(web(make_agent()), tools=0, workload=6, support=3)
    assert {e.field for e in caught.value.errors} == {"tools", "workload"}
    with pytest.raises(Forbidden):
        pulse.answer_pulse(web(make_customer()), tools=3, workload=3, support=3)


def test_pulse_report_only_from_the_minimum_number_of_answers_per_round_and_group() -> None:
    support, sales = make_group("Soporte"), make_group("Ventas")
    admin = make_admin()
    team = agents(4, support)
    for agent in team:
        answer(agent, 5, "Bien")
    [round_report] = pulse.pulse_report(web(admin))
    assert not round_report.enough and round_report.overall is None
    assert round_report.comments == [] and round_report.groups == []
    answer(make_agent(sales), 1)  # five answers: 4 in Soporte, 1 in Ventas
    [round_report] = pulse.pulse_report(web(admin))
    assert round_report.enough and round_report.overall is not None
    assert round_report.overall.answers == 5 and round_report.overall.tools == 4.2
    assert round_report.groups == [] and round_report.hidden_groups == 2
    answer(make_agent(support), 3)
    [round_report] = pulse.pulse_report(web(admin))
    assert [(g.label, g.answers) for g in round_report.groups] == [("Soporte", 5)]
    assert round_report.hidden_groups == 1
    with pytest.raises(Forbidden):
        pulse.pulse_report(web(team[0]))

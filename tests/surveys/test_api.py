"""The surveys API: a ticket's ratings (staff, through the ticket gate), the summary and the
settings (administrators)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from atiende.surveys import services
from atiende.surveys.mail import link_for
from tests.api.conftest import as_user, fields, problem
from tests.factories import make_admin, make_agent, make_customer, make_group
from tests.surveys.helpers import new_ticket, requests_of, set_status

pytestmark = pytest.mark.django_db
__all__ = ["as_user"]  # the API client fixture


def test_a_tickets_ratings_for_staff_who_can_see_it(
    as_user: Any, on_commit: Callable[..., Any]
) -> None:
    group = make_group()
    customer = make_customer(email="ana@cliente.test")
    ticket = new_ticket(customer, group_id=group.pk)
    set_status(on_commit, ticket, "solved")
    services.rate_by_link(link_for(requests_of(ticket)[0]), value="bad")
    body = as_user(make_agent(group)).get(f"/tickets/{ticket.pk}/ratings").json()
    assert [(r["episode"], r["rating"], r["satisfied"]) for r in body] == [(1, "bad", False)]
    problem(as_user(make_agent(make_group())).get(f"/tickets/{ticket.pk}/ratings"), 404)
    # customers never read ratings here, not even their own or another's
    problem(as_user(customer).get(f"/tickets/{ticket.pk}/ratings"), 403)
    problem(as_user(make_customer()).get(f"/tickets/{ticket.pk}/ratings"), 403)


def test_summary_and_settings_for_admins(as_user: Any, on_commit: Callable[..., Any]) -> None:
    ticket = new_ticket()
    set_status(on_commit, ticket, "solved")
    services.rate_by_link(link_for(requests_of(ticket)[0]), value="good")
    admin = as_user(make_admin())
    summary = admin.get("/surveys/summary", {"days": 7}).json()
    assert summary["total"]["csat"] == 100 and summary["total"]["response_rate"] == 100
    assert summary["nps"] is None
    problem(admin.get("/surveys/summary", {"days": 0}), 422)
    problem(as_user(make_agent()).get("/surveys/summary"), 403)
    assert admin.get("/surveys/settings").json()["csat_scale"] == "good_bad"
    changed = admin.patch("/surveys/settings", {"csat_scale": "five", "nps_enabled": True}).json()
    assert changed["csat_scale"] == "five" and changed["nps_enabled"] is True
    assert fields(problem(admin.patch("/surveys/settings", {"link_days": 0}), 422)) == {"link_days"}
    problem(as_user(make_agent()).patch("/surveys/settings", {"nps_enabled": False}), 403)

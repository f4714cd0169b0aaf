"""The survey pages: the mailed link records and thanks (no sign-in), refuses with a clear page;
the portal's widget rates only the customer's own solved request; ratings on the ticket page
and in the customer panel; the report and the pulse in the workspace."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from atiende.surveys import links, services
from atiende.surveys.mail import link_for
from atiende.surveys.models import PulseAnswer, SurveyRequest
from tests.factories import SYSTEM, make_admin, make_agent, make_customer, make_group
from tests.surveys.helpers import links_in, new_ticket, requests_of, set_status, survey_mails

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)
    return client


def solved(on_commit: Callable[..., Any], customer: Any = None, **fields: Any) -> Any:
    ticket = new_ticket(customer, **fields)
    set_status(on_commit, ticket, "solved")
    return ticket


def test_the_mailed_link_records_at_once_thanks_and_takes_a_comment(
    on_commit: Callable[..., Any],
) -> None:
    ticket = solved(on_commit)
    [sent] = survey_mails()
    page = Client().get(links_in(sent)["bad"])
    assert page.status_code == 200
    assert b"Thank you for your rating!" in page.content
    [request] = requests_of(ticket)
    assert request.rating == 0
    signed = link_for(request)
    done = Client().post(reverse("survey-comment", args=[signed]), {"comment": "Tardaron mucho"})
    assert done.status_code == 200 and b"Your comment was saved" in done.content
    request.refresh_from_db()
    assert request.comment == "Tardaron mucho"


@pytest.mark.parametrize("locale", ["es", "en"])
def test_the_link_pages_speak_the_surveys_language(
    on_commit: Callable[..., Any], locale: str
) -> None:
    ticket = solved(on_commit, make_customer(email="ana@cliente.test", locale=locale))
    signed = link_for(requests_of(ticket)[0])
    page = Client().get(reverse("survey-rate", args=[signed, "good"]))
    assert page.status_code == 200
    assert f'lang="{locale}"'.encode() in page.content


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("tampered", 400, "survey_link_damaged"),
        ("unknown value", 400, "survey_link_damaged"),
        ("other ticket", 404, "survey_not_found"),
        ("expired", 410, "survey_expired"),
        ("second rating", 409, "survey_already_rated"),
    ],
)
def test_bad_links_get_a_clear_page(
    on_commit: Callable[..., Any], case: str, status: int, code: str
) -> None:
    ticket, other = solved(on_commit), solved(on_commit)
    request = requests_of(ticket)[0]
    signed, value, now = link_for(request), "good", timezone.now()
    if case == "tampered":
        signed = signed.replace(signed[5], "A" if signed[5] != "A" else "B", 1)
    elif case == "unknown value":
        value = "11"
    elif case == "other ticket":
        signed = links.sign(links.LinkClaim(request.pk, other.pk, 1, request.token))
    elif case == "expired":
        now += timedelta(days=31)
    else:
        services.update_settings(SYSTEM, changes={"allow_change": False})
        services.rate_by_link(signed, value="bad")
    with time_machine.travel(now, tick=False):
        page = Client().get(reverse("survey-rate", args=[signed, value]))
    assert page.status_code == status
    assert f'data-survey-error="{code}"'.encode() in page.content
    expected = 0 if case == "second rating" else None
    assert SurveyRequest.objects.get(pk=request.pk).rating == expected


def test_opting_out_from_the_link(on_commit: Callable[..., Any]) -> None:
    ticket = solved(on_commit)
    signed = link_for(requests_of(ticket)[0])
    url = reverse("survey-opt-out", args=[signed])
    assert Client().get(url).status_code == 200
    assert b"Done" in Client().post(url).content
    from atiende.surveys.models import SurveyOptOut

    assert SurveyOptOut.objects.filter(customer=ticket.requester).exists()


def test_the_portal_rates_only_the_customers_own_solved_request(
    on_commit: Callable[..., Any],
) -> None:
    customer, stranger = make_customer(email="ana@cliente.test"), make_customer()
    mine = solved(on_commit, customer)
    theirs = solved(on_commit, stranger)
    open_one = new_ticket(customer)
    client = signed_in(customer)
    url = reverse("survey-portal", args=[mine.pk])
    widget = client.get(url, headers={"HX-Request": "true"})
    assert widget.status_code == 200 and b'name="rating"' in widget.content
    done = client.post(url, {"rating": "good", "comment": "Muy bien"})
    assert done.status_code == 200
    request = requests_of(mine)[0]
    assert (request.rating, request.comment) == (1, "Muy bien")
    # another customer's request, by a guessed URL: not found, nothing rated
    for method in (client.get, client.post):
        refused = method(reverse("survey-portal", args=[theirs.pk]), {"rating": "bad"})
        assert refused.status_code == 404
    assert requests_of(theirs)[0].rating is None
    not_yet = client.post(reverse("survey-portal", args=[open_one.pk]), {"rating": "good"})
    assert not_yet.status_code == 409
    assert Client().get(url).status_code == 403  # not signed in
    assert signed_in(make_agent()).get(url).status_code == 403


def test_the_portal_include_points_at_the_widget() -> None:
    from django.template.loader import render_to_string

    html = render_to_string("web/surveys/_portal_rating.html", {"ticket": type("T", (), {"pk": 7})})
    assert reverse("survey-portal", args=[7]) in html and "hx-get" in html


def test_ratings_on_the_ticket_page_and_in_the_customer_panel(
    on_commit: Callable[..., Any],
) -> None:
    group = make_group()
    agent = make_agent(group)
    customer = make_customer(email="ana@cliente.test")
    ticket = solved(on_commit, customer, group_id=group.pk)
    services.rate_by_link(link_for(requests_of(ticket)[0]), value="bad")
    services.comment_by_link(link_for(requests_of(ticket)[0]), comment="No me ayudaron")
    page = signed_in(agent).get(reverse("ticket", args=[ticket.pk]))
    assert page.status_code == 200
    assert b'data-rating="bad"' in page.content and b"No me ayudaron" in page.content
    panel = signed_in(agent).get(reverse("customer", args=[customer.pk]))
    slot = reverse("survey-customer-ratings", args=[customer.pk])
    assert slot.encode() in panel.content  # the panel loads the customer's ratings
    ratings = signed_in(agent).get(slot, headers={"HX-Request": "true"})
    assert b'data-customer-csat="0"' in ratings.content and b"No me ayudaron" in ratings.content


def test_another_customers_rating_is_never_shown_with_this_customer(
    on_commit: Callable[..., Any],
) -> None:
    group = make_group()
    agent = make_agent(group)
    ana, luis = make_customer(email="ana@cliente.test"), make_customer(email="luis@cliente.test")
    other = solved(on_commit, luis, group_id=group.pk)
    services.rate_by_link(link_for(requests_of(other)[0]), value="good")
    services.comment_by_link(link_for(requests_of(other)[0]), comment="Comentario de Luis")
    mine = solved(on_commit, ana, group_id=group.pk)
    page = signed_in(agent).get(reverse("ticket", args=[mine.pk]))
    assert b"Comentario de Luis" not in page.content
    # an agent outside the group sees neither the ticket's ratings nor the customer's
    outsider = make_agent(make_group())
    slot = reverse("survey-customer-ratings", args=[luis.pk])
    assert b"Comentario de Luis" in signed_in(agent).get(slot).content
    assert b"Comentario de Luis" not in signed_in(outsider).get(slot).content
    assert signed_in(luis).get(slot).status_code in (302, 403)  # customers: not here


@pytest.mark.parametrize("count", [3, 12])
def test_the_report_is_for_admins_and_bounded(
    on_commit: Callable[..., Any], django_assert_max_num_queries: Any, count: int
) -> None:
    groups = [make_group("Soporte"), make_group("Ventas")]
    agents = [make_agent(*groups, name="Marta"), make_agent(*groups, name="Pablo")]
    for n in range(count):
        ticket = solved(on_commit, None, group_id=groups[n % 2].pk, assignee_id=agents[n % 2].pk)
        value = "bad" if n % 3 == 2 else "good"
        services.rate_by_link(link_for(requests_of(ticket)[0]), value=value)
        services.comment_by_link(link_for(requests_of(ticket)[0]), comment=f"Comentario {n}")
    admin = signed_in(make_admin())
    admin.get(reverse("report-satisfaction"))  # the session and settings rows, once
    with django_assert_max_num_queries(14):
        page = admin.get(reverse("report-satisfaction"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "67 %" in html and "Marta" in html and "Soporte" in html and "Comentario 2" in html
    assert signed_in(agents[0]).get(reverse("report-satisfaction")).status_code == 403


def test_the_pulse_in_the_workspace() -> None:
    agent = make_agent()
    client = signed_in(agent)
    banner = client.get(reverse("pulse-banner"))
    assert b"pulse-banner" in banner.content
    bad = client.post(reverse("pulse"), {"tools": "9", "workload": "3", "support": "3"})
    assert bad.status_code == 200 and PulseAnswer.objects.count() == 0
    done = client.post(reverse("pulse"), {"tools": "4", "workload": "2", "support": "5"})
    assert done.status_code == 200 and PulseAnswer.objects.count() == 1
    assert client.get(reverse("pulse-banner")).content == b""
    other = signed_in(make_agent())
    other.post(reverse("pulse-dismiss"), headers={"HX-Request": "true"})
    assert other.get(reverse("pulse-banner")).content == b""
    admin = signed_in(make_admin())
    report = admin.get(reverse("report-satisfaction")).content
    assert b'data-pulse="not-enough"' in report


def test_admins_edit_the_survey_settings_and_bad_values_are_named() -> None:
    admin = signed_in(make_admin())
    url = reverse("settings-surveys")
    assert admin.get(url).status_code == 200
    form = {
        "csat_enabled": "on",
        "csat_scale": "five",
        "change_days": "3",
        "link_days": "0",
        "nps_quiet_days": "90",
        "pulse_every_days": "14",
        "pulse_min_answers": "5",
    }
    refused = admin.post(url, form)
    assert refused.status_code == 200 and b"A whole number from 1 to 365." in refused.content
    assert admin.post(url, {**form, "link_days": "10"}).status_code == 200
    from atiende.surveys.selectors import survey_settings

    current = survey_settings()
    assert (current.csat_scale, current.link_days, current.allow_change) == ("five", 10, False)
    assert signed_in(make_agent()).get(url).status_code == 403

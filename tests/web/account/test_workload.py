"""An agent sees their own workload — open chats and other open tickets against the capacities
an administrator set — in the status menu (loaded as it opens) and on their account page; only
their own, read only."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from atiende.accounts.models import Group, User
from atiende.accounts.services import update_availability
from atiende.tickets import services as tickets
from atiende.tickets.models import Channel
from tests.factories import SYSTEM, make_agent, make_customer, make_group, make_ticket, web

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def figures(page: str) -> str:
    """The workload line as read on screen: "Chats 2 / 3 · Tickets 7 / 20"."""
    found = re.search(r'<p class="workload" id="my-workload">(.*?)</p>', page, re.S)
    assert found is not None, "no workload shown"
    visible = re.sub(r'<span class="visually-hidden">.*?</span>', "", found.group(1))
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", visible)).split())


def give(agent: User, group: Group, *, chats: int, other: int) -> list[int]:
    """Open chats and other tickets assigned to ``agent``; returns the ticket ids."""
    ids = []
    for _n in range(chats):
        chat = make_ticket(channel=Channel.CHAT, group_id=group.pk, assignee_id=agent.pk)
        ids.append(chat.pk)
    for _n in range(other):
        ids.append(make_ticket(group_id=group.pk, assignee_id=agent.pk).pk)
    return ids


def capacities(agent: User, *, tickets: int | None, chats: int | None) -> None:
    update_availability(
        SYSTEM, user_id=agent.pk, changes={"capacity": tickets, "chat_capacity": chats}
    )


@pytest.fixture
def group() -> Group:
    return make_group("Soporte")


def test_an_agent_sees_their_load_against_their_capacities(group: Group) -> None:
    agent = make_agent(group, locale="en")
    capacities(agent, tickets=20, chats=3)
    given = give(agent, group, chats=2, other=8)
    # A solved ticket is no load; a ticket of someone else, nor an unassigned one, are not theirs.
    tickets.change_status(web(agent), ticket_id=given[-1], status="solved")
    colleague = make_agent(group)
    capacities(colleague, tickets=5, chats=1)
    give(colleague, group, chats=1, other=4)
    make_ticket(group_id=group.pk)

    client = signed_in(agent)
    page = client.get(reverse("account-workload"))
    fragment = client.get(reverse("account-workload"), HTTP_HX_REQUEST="true")

    assert page.status_code == 200 and fragment.status_code == 200
    assert figures(page.content.decode()) == "Chats 2 / 3 · Tickets 7 / 20"
    assert figures(fragment.content.decode()) == "Chats 2 / 3 · Tickets 7 / 20"
    assert "<h1>Your workload</h1>" in page.content.decode()
    assert "<html" not in fragment.content.decode()  # the menu's fragment, no page around it
    # A chat at its capacity is marked; the tickets, under theirs, are not.
    capacities(agent, tickets=20, chats=2)
    marked = client.get(reverse("account-workload"), HTTP_HX_REQUEST="true").content.decode()
    assert marked.count("at-capacity") == 1

    # The colleague sees theirs, never the agent's: the page has no one else's figures to ask.
    other = signed_in(colleague).get(reverse("account-workload") + f"?user={agent.pk}")
    assert figures(other.content.decode()) == "Chats 1 / 1 (full) · Tickets 4 / 5"


def test_an_agent_without_limits_reads_no_limit(group: Group) -> None:
    never_seen = make_agent(group, locale="en")  # no availability row at all
    give(never_seen, group, chats=0, other=1)
    unlimited = make_agent(group, locale="en")
    capacities(unlimited, tickets=None, chats=None)
    give(unlimited, group, chats=1, other=0)
    no_chats = make_agent(group, locale="en")
    capacities(no_chats, tickets=None, chats=0)

    read = {
        agent.pk: figures(signed_in(agent).get(reverse("account-workload")).content.decode())
        for agent in (never_seen, unlimited, no_chats)
    }

    assert read[never_seen.pk] == "Chats 0 / no limit · Tickets 1 / no limit"
    assert read[unlimited.pk] == "Chats 1 / no limit · Tickets 0 / no limit"
    assert read[no_chats.pk] == "Chats 0 / 0 (full) · Tickets 0 / no limit"  # takes no chats


def test_in_spanish(group: Group) -> None:
    agent = make_agent(group, locale="es")
    capacities(agent, tickets=None, chats=3)
    give(agent, group, chats=1, other=2)

    page = signed_in(agent).get(reverse("account-workload"), HTTP_ACCEPT_LANGUAGE="en")

    with translation.override("es"):
        no_limit, title, chats, tickets_word = (
            _("no limit"),
            _("Your workload"),
            _("Chats"),
            _("Tickets"),
        )
    html = page.content.decode()
    assert figures(html) == f"{chats} 1 / 3 · {tickets_word} 2 / {no_limit}"
    assert figures(html) == "Chats 1 / 3 · Tickets 2 / sin límite"  # the catalogue has them
    assert f"<h1>{title}</h1>" in html
    assert '<html lang="es"' in html


@pytest.mark.parametrize(("locale", "expected"), [("en", "full"), ("es", "completo")])
def test_a_full_capacity_says_so_in_words(group: Group, locale: str, expected: str) -> None:
    agent = make_agent(group, locale=locale)
    capacities(agent, tickets=2, chats=1)
    give(agent, group, chats=1, other=1)

    page = signed_in(agent).get(reverse("account-workload"))

    chats, tickets_part = figures(page.content.decode()).split(" · ")
    assert chats.endswith(f"1 / 1 ({expected})")  # not only the colour of .at-capacity
    assert tickets_part.endswith("1 / 2")


def test_the_status_menu_loads_the_workload_as_it_opens(group: Group) -> None:
    agent = make_agent(group)
    client = signed_in(agent)
    client.post(reverse("account-status"), {"status": "online"}, HTTP_HX_REQUEST="true")

    header = client.get(reverse("inbox")).content.decode()

    url = reverse("account-workload")
    assert f'hx-get="{url}" hx-trigger="toggle from:closest details"' in header
    assert f'<a href="{url}">' in header  # without scripts: a link to the page
    account = client.get(reverse("account-preferences")).content.decode()
    assert f'<a href="{url}"' in account  # in the account's navigation


def test_only_agents_have_a_workload_and_it_is_read_only(group: Group) -> None:
    customer = make_customer()
    refused = signed_in(customer).get(reverse("account-workload"))
    assert refused.status_code in (302, 403, 404)
    assert Client().get(reverse("account-workload")).status_code == 302  # signed out: sign in

    agent = make_agent(group)
    capacities(agent, tickets=20, chats=3)
    client = signed_in(agent)
    posted = client.post(reverse("account-workload"), {"capacity": "999", "chat_capacity": ""})
    assert posted.status_code == 405
    page = client.get(reverse("account-workload")).content.decode()
    assert figures(page) == "Chats 0 / 3 · Tickets 0 / 20"

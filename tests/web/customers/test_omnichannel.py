"""One customer across channels: the customer page and the ticket's panel show every identity
and every conversation (email, WhatsApp, chat), scoped to what the agent may see; two records
of one person are merged from the customer page (accounts services fold the duplicate, tickets
services move its tickets), and every bad merge is refused with nothing changed.

Tickets arrive as in production: a raw mail stored then processed, a signed WhatsApp webhook
through the real view (its account's API a fake Graph server on loopback), a chat message
through the chat's services.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import Identity, User
from atiende.accounts.services import add_identity, update_user
from atiende.messaging.chat import posting, widgets
from atiende.messaging.chat import services as chat
from atiende.messaging.chat.services import Visitor
from atiende.messaging.models import ChatWidget, Mailbox
from atiende.tickets.models import Ticket, TicketEvent
from tests.factories import SYSTEM, make_admin, make_agent, make_customer, make_group, make_org
from tests.messaging.channels.conversing import TASKS_AT_ONCE, Conversation, open_account
from tests.messaging.channels.fake_graph import FakeGraph, fake_graph
from tests.messaging.mail import build, deliver, make_mailbox

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
__all__ = ["fake_graph"]  # the fake Graph API on loopback, a fixture of these tests

SignedIn = Callable[[User], Client]
EMAIL = "begona@cliente.test"
# The number the fake Graph's messages come from: WhatsApp's id for it, the international
# number without its "+" (a link dials it with one).
WHATSAPP = "5491155550000"  # as Meta sends it
STORED = "+" + WHATSAPP  # as the identity keeps it (accounts.services)
SITE = "https://tienda.example.com"
T0 = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    settings.TASKS = TASKS_AT_ONCE


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    """Time stands still unless a test moves it: "newest" is what the test says it is."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def body(response: Any) -> str:
    return str(response.content.decode())


def channels_listed(html: str, section: str) -> list[str]:
    """The channel of each conversation listed in the page's ``section`` (by its id), in order."""
    start = html.index(f'id="{section}"')
    end = html.index("</section>", start)
    return re.findall(r'class="channel-badge" data-channel="([a-z_]+)"', html[start:end])


@dataclass
class Channels:
    """The three doors a customer can come through, each routed to its own group."""

    mailbox: Mailbox
    whatsapp: Conversation
    widget_id: int

    def by_email(self, subject: str, **headers: Any) -> Ticket:
        headers.setdefault("sender", f"Begoña Núñez <{EMAIL}>")
        inbound = deliver(build(subject=subject, body=f"{subject}.", **headers), self.mailbox)
        assert inbound.ticket_id is not None, inbound.state
        return Ticket.objects.get(pk=inbound.ticket_id)

    def by_whatsapp(self, text: str) -> Ticket:
        return self.whatsapp.customer_writes(text)

    def by_chat(self, text: str, email: str = EMAIL) -> Ticket:
        widget = ChatWidget.objects.get(pk=self.widget_id)
        session = chat.open_chat(
            widget, chat.new_token(), Visitor(page_url=f"{SITE}/pedidos", language="es")
        )
        session = chat.answer_prechat(session, {"name": "Begoña", "email": email})
        posted = posting.post_message(session, client_id="c1", text=text)
        return Ticket.objects.get(pk=posted.ticket_id)

    @property
    def group_ids(self) -> list[int]:
        assert self.whatsapp.account.group_id is not None
        widget = ChatWidget.objects.get(pk=self.widget_id)
        assert widget.group_id is not None
        assert self.mailbox.group_id is not None
        return [self.mailbox.group_id, self.whatsapp.account.group_id, widget.group_id]


@pytest.fixture
def doors(client: Client, fake_graph: FakeGraph) -> Channels:
    mailbox = make_mailbox(group=make_group("Correo"))
    whatsapp = open_account("whatsapp", fake_graph.base_url, client)
    widget = widgets.create_widget(
        SYSTEM, name="Tienda", group_id=make_group("Chat").pk, allowed_origins=[SITE]
    )
    return Channels(mailbox, whatsapp, widget.pk)


def agent_of_all(doors: Channels) -> User:
    agent = make_agent()
    agent.groups.set(doors.group_ids)
    return agent


# --- every identity and every conversation ----------------------------------------------------


def test_email_whatsapp_and_chat_on_one_customer_page(doors: Channels, signed_in: SignedIn) -> None:
    by_mail = doors.by_email("Mi pedido no llegó")
    customer = by_mail.requester
    agent = agent_of_all(doors)
    # The agent learns the customer's WhatsApp number (a call, a signature) and records it.
    add_identity(SYSTEM, user_id=customer.pk, channel="whatsapp", value="54 9 11 5555-0000")
    by_whatsapp = doors.by_whatsapp("Hola, sigo esperando el pedido")
    by_chat = doors.by_chat("¿Me pueden ayudar con el pedido?")
    assert by_whatsapp.requester_id == customer.pk and by_chat.requester_id == customer.pk
    assert [by_mail.channel, by_whatsapp.channel, by_chat.channel] == ["email", "whatsapp", "chat"]

    client = signed_in(agent)
    page = body(client.get(reverse("customer", args=[customer.pk])))

    # Newest first (all three open): chat, WhatsApp, email, each with its channel.
    assert channels_listed(page, "cx-conversations") == ["chat", "whatsapp", "email"]
    assert channels_listed(page, "cx-all-tickets") == ["chat", "whatsapp", "email"]
    for ticket in (by_mail, by_whatsapp, by_chat):
        assert f'href="/tickets/{ticket.pk}/"' in page
    assert "Live chat" in page and "WhatsApp" in page and "Email" in page
    # Every identity, with a link where one applies: mailto for email, tel for phones.
    assert f'<a href="mailto:{EMAIL}" class="mailto-link">{EMAIL}</a>' in page
    assert f'<a href="tel:{STORED}" class="tel-link">{STORED}</a>' in page
    # Each says when the customer last wrote, machine-readable.
    section = page[page.index('id="cx-conversations"') : page.index('id="cx-all-tickets"')]
    assert len(re.findall(r'<time datetime="2026-12-07T[0-9:]+\+00:00">', section)) == 3

    # The ticket page's panel shows the same three, the current one marked.
    ticket_page = body(client.get(reverse("ticket", args=[by_whatsapp.pk])))
    panel = ticket_page[ticket_page.index('class="customer-panel') :]
    panel = panel[: panel.index("</aside>")]
    assert re.findall(r'data-channel="([a-z_]+)"><span aria-hidden', panel) == [
        "chat",
        "whatsapp",
        "email",
    ]
    assert 'aria-current="page"' in panel and f"mailto:{EMAIL}" in panel
    assert f'<a href="tel:{STORED}" class="tel-link">' in panel


def test_open_conversations_come_first_then_the_latest_message(
    doors: Channels, signed_in: SignedIn, clock: Any
) -> None:
    from atiende.tickets import services as tickets

    first = doors.by_email("Primera consulta", message_id="primera@cliente.test")
    customer = first.requester
    clock.shift(60)
    solved_chat = doors.by_chat("Segunda consulta")
    tickets.change_status(SYSTEM, ticket_id=solved_chat.pk, status="solved")
    clock.shift(60)
    third = doors.by_email("Tercera consulta")
    clock.shift(60)
    # The customer answers the oldest thread: it becomes the latest conversation.
    reply = doors.by_email("Re: Primera consulta", in_reply_to="primera@cliente.test")
    assert reply.pk == first.pk

    page = body(signed_in(agent_of_all(doors)).get(reverse("customer", args=[customer.pk])))
    section = page[page.index('id="cx-conversations"') : page.index('id="cx-all-tickets"')]
    positions = [section.index(f'href="/tickets/{t.pk}/"') for t in (first, third, solved_chat)]
    assert positions == sorted(positions)  # open by latest message, then the solved chat
    assert channels_listed(page, "cx-conversations") == ["email", "email", "chat"]
    assert section.count("data-done") == 1


def test_an_agent_sees_only_their_groups_conversations(
    doors: Channels, signed_in: SignedIn
) -> None:
    by_mail = doors.by_email("Factura duplicada")
    customer = by_mail.requester
    add_identity(SYSTEM, user_id=customer.pk, channel="whatsapp", value=WHATSAPP)
    by_whatsapp = doors.by_whatsapp("Hola por WhatsApp")
    by_chat = doors.by_chat("Hola por chat")
    whatsapp_group = doors.whatsapp.account.group
    assert whatsapp_group is not None
    agent = make_agent(whatsapp_group)
    client = signed_in(agent)

    ticket_page = body(client.get(reverse("ticket", args=[by_whatsapp.pk])))
    panel = ticket_page[ticket_page.index('class="customer-panel') :]
    panel = panel[: panel.index("</aside>")]
    assert f'href="/tickets/{by_whatsapp.pk}/"' in panel
    assert f"/tickets/{by_mail.pk}/" not in panel and "Factura duplicada" not in panel
    assert f"/tickets/{by_chat.pk}/" not in panel and "Hola por chat" not in panel
    assert "<dd data-open-count>1</dd>" in panel

    page = body(client.get(reverse("customer", args=[customer.pk])))
    assert channels_listed(page, "cx-conversations") == ["whatsapp"]
    assert channels_listed(page, "cx-all-tickets") == ["whatsapp"]
    assert "Factura duplicada" not in page and "Hola por chat" not in page
    assert client.get(reverse("ticket", args=[by_mail.pk])).status_code == 404


def test_the_panel_reads_a_fixed_number_of_queries(
    doors: Channels, signed_in: SignedIn, django_assert_max_num_queries: Any
) -> None:
    customer = doors.by_email("Una").requester
    add_identity(SYSTEM, user_id=customer.pk, channel="whatsapp", value=WHATSAPP)
    for n in range(5):
        doors.by_whatsapp(f"Mensaje {n}")
        doors.by_chat(f"Chat {n}")
    client = signed_in(agent_of_all(doors))
    # The "start a conversation" block reads 3 of these: the accounts, and per offer whether a
    # ticket holds the conversation (its newest messages, then whether their tickets are open:
    # ``open_conversation``); the identities and the agent's groups are the page's.
    with django_assert_max_num_queries(14):
        page = client.get(reverse("customer", args=[customer.pk]))
    assert len(channels_listed(body(page), "cx-conversations")) >= 3
    assert 'id="cx-start-conversation"' in body(page)


# --- merging two records of one person ---------------------------------------------------------


def records_of_one_person(doors: Channels) -> tuple[User, User, list[Ticket]]:
    """Begoña by email (two mails) and, apart, by WhatsApp number only (one message)."""
    mail = [doors.by_email("Consulta por correo"), doors.by_email("Otra por correo")]
    by_whatsapp = doors.by_whatsapp("Hola, soy Begoña")
    by_email_customer = mail[0].requester
    by_number = by_whatsapp.requester
    assert by_number.pk != by_email_customer.pk and by_number.email is None
    assert list(Identity.objects.filter(user=by_number).values_list("channel", "value")) == [
        ("whatsapp", STORED)
    ]
    return by_email_customer, by_number, [*mail, by_whatsapp]


def test_merging_the_whatsapp_record_into_the_email_one(
    doors: Channels, signed_in: SignedIn
) -> None:
    survivor, duplicate, tickets = records_of_one_person(doors)
    client = signed_in(agent_of_all(doors))

    page = body(client.get(reverse("customer", args=[survivor.pk])))
    assert "This is the same person as…" in page
    pick = body(
        client.get(reverse("customer-merge", args=[survivor.pk]), {"q": "+54 9 11 5555-0000"})
    )
    confirm_url = reverse("customer-merge-confirm", args=[survivor.pk, duplicate.pk])
    assert f'href="{confirm_url}"' in pick and f"WhatsApp {STORED}" in pick

    confirm = body(client.get(confirm_url))
    assert "1 ticket" in confirm and f"WhatsApp: {STORED}" in confirm
    assert "they end with no organization" in confirm
    assert "can no longer sign in" in confirm and "notes record the merge" in confirm
    assert Ticket.objects.get(pk=tickets[2].pk).requester_id == duplicate.pk  # not yet

    done = client.post(confirm_url, follow=True)
    assert done.redirect_chain[-1][0] == reverse("customer", args=[survivor.pk])
    assert "The customers were merged." in body(done)

    assert set(Ticket.objects.filter(requester=survivor).values_list("pk", flat=True)) == {
        t.pk for t in tickets
    }
    assert not Ticket.objects.filter(requester=duplicate).exists()
    assert set(Identity.objects.filter(user=survivor).values_list("channel", "value")) == {
        ("email", EMAIL),
        ("whatsapp", STORED),
    }
    gone = User.objects.get(pk=duplicate.pk)
    assert gone.merged_into_id == survivor.pk and not gone.is_active
    moved = TicketEvent.objects.get(ticket_id=tickets[2].pk, field="requester")
    assert moved.actor_id is not None
    # Both customers' notes (what their pages show of their history) say so.
    kept_page = body(done)
    assert "was merged into this customer (tickets moved: 1)" in kept_page
    assert channels_listed(kept_page, "cx-conversations") == ["whatsapp", "email", "email"]
    gone_page = body(client.get(reverse("customer", args=[duplicate.pk])))
    assert "merged into" in gone_page and f'href="/customers/{survivor.pk}/"' in gone_page

    # The next WhatsApp message finds the survivor through the identity that moved.
    later = doors.by_whatsapp("¿Novedades?")
    assert later.requester_id == survivor.pk


def test_keeping_the_other_record_from_the_whatsapp_customers_page(
    doors: Channels, signed_in: SignedIn
) -> None:
    by_email, by_number, _tickets = records_of_one_person(doors)
    client = signed_in(agent_of_all(doors))
    url = reverse("customer-merge-confirm", args=[by_number.pk, by_email.pk])

    default = body(client.get(url))
    assert "2 tickets" in default  # the email record's two would move to the number's
    swapped = body(client.get(url, {"keep": "other"}))
    assert "1 ticket" in swapped and 'name="keep" value="other"' in swapped
    assert f"<strong>{by_number.display_name}</strong> will be merged into" in swapped

    done = client.post(url, {"keep": "other"})
    assert done.status_code == 302 and done["Location"] == reverse("customer", args=[by_email.pk])
    assert Ticket.objects.filter(requester=by_email).count() == 3
    assert User.objects.get(pk=by_number.pk).merged_into_id == by_email.pk
    assert Identity.objects.filter(user=by_email, channel="whatsapp", value=STORED).exists()


# --- bad merges: a clear error, nothing changed -----------------------------------------------


def snapshot(*users: User) -> Any:
    ids = [u.pk for u in users]
    return (
        sorted(
            User.objects.filter(pk__in=ids).values_list("pk", "is_active", "merged_into", "notes")
        ),
        sorted(Identity.objects.filter(user__in=ids).values_list("pk", "user")),
        sorted(Ticket.objects.values_list("pk", "requester", "organization")),
        TicketEvent.objects.count(),
    )


def test_merging_a_customer_into_itself_is_refused(doors: Channels, signed_in: SignedIn) -> None:
    customer = doors.by_email("Algo").requester
    before = snapshot(customer)
    client = signed_in(make_agent())
    for data in ({}, {"keep": "other"}):
        answer = client.post(
            reverse("customer-merge-confirm", args=[customer.pk, customer.pk]), data
        )
        assert answer.status_code == 422
        assert "A customer cannot be merged into itself." in body(answer)
    assert snapshot(customer) == before


def test_merging_with_a_staff_user_is_refused(doors: Channels, signed_in: SignedIn) -> None:
    customer = doors.by_email("Algo").requester
    staff = make_agent(name="Agente Pérez")
    before = snapshot(customer, staff)
    client = signed_in(make_admin())

    into_staff = client.post(
        reverse("customer-merge-confirm", args=[customer.pk, staff.pk]), {"keep": "other"}
    )
    assert into_staff.status_code == 422
    assert "Only customers can be merged, not staff." in body(into_staff)
    staff_in = client.post(reverse("customer-merge-confirm", args=[customer.pk, staff.pk]))
    assert staff_in.status_code == 422
    # A staff record has no customer page, so nothing can be merged into it from there.
    assert (
        client.post(reverse("customer-merge-confirm", args=[staff.pk, customer.pk])).status_code
        == 404
    )
    pick = body(client.get(reverse("customer-merge", args=[customer.pk]), {"q": "Agente"}))
    assert "Agente Pérez" not in pick
    assert snapshot(customer, staff) == before


def test_merging_into_a_suspended_customer_is_refused(doors: Channels, signed_in: SignedIn) -> None:
    _by_email, by_number, _tickets = records_of_one_person(doors)
    suspended = make_customer(name="Cuenta suspendida")
    update_user(SYSTEM, user_id=suspended.pk, changes={"is_active": False})
    before = snapshot(by_number, suspended)
    client = signed_in(agent_of_all(doors))

    answer = client.post(reverse("customer-merge-confirm", args=[suspended.pk, by_number.pk]))
    assert answer.status_code == 409
    assert "Cannot merge into a suspended customer." in body(answer)
    swapped = client.post(
        reverse("customer-merge-confirm", args=[by_number.pk, suspended.pk]), {"keep": "other"}
    )
    assert swapped.status_code == 409
    assert snapshot(by_number, suspended) == before


def test_merging_a_record_already_merged_is_refused(doors: Channels, signed_in: SignedIn) -> None:
    by_email, by_number, _tickets = records_of_one_person(doors)
    third = make_customer(name="Tercera")
    client = signed_in(agent_of_all(doors))
    assert (
        client.post(reverse("customer-merge-confirm", args=[by_email.pk, by_number.pk])).status_code
        == 302
    )
    before = snapshot(by_email, by_number, third)
    again = client.post(reverse("customer-merge-confirm", args=[third.pk, by_number.pk]))
    assert again.status_code == 409 and "was already merged" in body(again)
    assert snapshot(by_email, by_number, third) == before


def test_who_may_not_merge(doors: Channels, signed_in: SignedIn) -> None:
    by_email, by_number, _tickets = records_of_one_person(doors)
    url = reverse("customer-merge-confirm", args=[by_email.pk, by_number.pk])
    before = snapshot(by_email, by_number)

    # A customer, even one of the two: no staff page, no merge.
    assert signed_in(by_email).post(url).status_code == 403
    assert signed_in(by_email).get(reverse("customer-merge", args=[by_email.pk])).status_code == 403
    # Nobody signed in: to the sign-in page.
    anonymous = Client().post(url)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    # An agent's post without the CSRF token its browser's form would carry is refused.
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(agent_of_all(doors))
    assert forged.post(url).status_code == 403
    assert snapshot(by_email, by_number) == before

    # An agent may merge records of one organization; across organizations is an admin's call.
    update_user(SYSTEM, user_id=by_email.pk, changes={"organization_id": make_org("Acme").pk})
    before = snapshot(by_email, by_number)
    refused = signed_in(agent_of_all(doors)).post(url)
    assert refused.status_code == 403
    assert "Only an administrator can merge customers of different organizations." in body(refused)
    assert snapshot(by_email, by_number) == before

    assert signed_in(make_admin()).post(url).status_code == 302
    assert User.objects.get(pk=by_number.pk).merged_into_id == by_email.pk
    assert Ticket.objects.filter(requester=by_email).count() == 3


def test_every_identity_channel_and_ticket_channel_has_a_glyph() -> None:
    from atiende.accounts.models import IdentityChannel
    from atiende.tickets.models import Channel
    from atiende.web.customers.panel import CHANNEL_ICONS, IDENTITY_ICONS

    assert set(IDENTITY_ICONS) == set(IdentityChannel.values)
    assert set(CHANNEL_ICONS) == set(Channel.values)

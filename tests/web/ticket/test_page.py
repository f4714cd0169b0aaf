"""The ticket page: who may open it, what it shows, and that it stays bounded."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import Group, User
from atiende.tickets import services
from atiende.tickets.models import Message, Ticket, TicketLink
from tests.factories import make_admin, make_agent, make_customer, make_group, make_ticket, web

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def page(client: Client, ticket: Ticket) -> str:
    response = client.get(reverse("ticket", args=[ticket.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_agent_in_the_group_sees_header_conversation_composer_and_panel(
    client_for: Any, agent: User, ticket: Ticket
) -> None:
    body = page(client_for(agent), ticket)
    assert f'<main id="main" class="content" tabindex="-1" data-ticket-id="{ticket.pk}"' in body
    # The page's fragments tell the server which ticket number the agent is looking at.
    assert f'hx-headers=\'{{"X-Atiende-Ticket-Number": "{ticket.number}"}}\'' in body
    assert f"#{ticket.number}</span> Printer on fire" in body
    assert "Something is not working." in body
    assert 'data-composer=""' in body
    assert 'data-shortcut="r"' in body and 'data-shortcut="n"' in body
    assert 'data-shortcut="a"' in body and 'data-shortcut="s"' in body
    assert 'class="customer-panel' in body and "luis@example.com" in body
    assert "created the ticket" in body
    assert "web/ticket.js" in body


def test_admin_sees_any_ticket(client_for: Any, ticket: Ticket) -> None:
    assert "Printer on fire" in page(client_for(make_admin()), ticket)


def test_agent_outside_the_group_and_missing_tickets_are_404(
    client_for: Any, ticket: Ticket
) -> None:
    outsider = client_for(make_agent(make_group()))
    assert outsider.get(reverse("ticket", args=[ticket.pk])).status_code == 404
    assert outsider.get(reverse("ticket-timeline", args=[ticket.pk])).status_code == 404
    assert outsider.get(reverse("ticket-time", args=[ticket.pk])).status_code == 404
    admin = client_for(make_admin())
    assert admin.get(reverse("ticket", args=[987654])).status_code == 404


def test_customers_are_refused_and_anonymous_visitors_sent_to_sign_in(
    client_for: Any, ticket: Ticket, customer: User
) -> None:
    mine = client_for(customer)
    for name in ("ticket", "ticket-timeline", "ticket-header", "ticket-time"):
        response = mine.get(reverse(name, args=[ticket.pk]))
        assert response.status_code == 403
        assert "Printer on fire" not in response.content.decode()
    response = mine.post(reverse("ticket-reply", args=[ticket.pk]), {"body": "x", "public": "1"})
    assert response.status_code == 403
    assert Message.objects.filter(ticket=ticket).count() == 1
    assert mine.get(reverse("ticket-new")).status_code == 403

    response = Client().get(reverse("ticket", args=[ticket.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_internal_notes_are_marked_unmistakably(
    client_for: Any, agent: User, ticket: Ticket
) -> None:
    services.add_message(web(agent), ticket_id=ticket.pk, body="Only for us", public=False)
    body = page(client_for(agent), ticket)
    note = body[body.index("message-note") : body.index("Only for us")]
    assert "Internal note" in note
    assert "🔒" in note


def test_stored_html_is_sanitized_again_on_display(
    client_for: Any, agent: User, ticket: Ticket
) -> None:
    message = services.add_message(web(agent), ticket_id=ticket.pk, body="hello")
    Message.objects.filter(pk=message.pk).update(
        body_html='<p>Hi<script>alert(1)</script><img src="x" onerror="alert(2)">'
        '<a href="javascript:alert(3)">link</a></p>'
    )
    body = page(client_for(agent), ticket)
    assert "<script>alert(1)" not in body
    assert "onerror" not in body
    assert "javascript:alert" not in body
    assert "<p>Hi" in body


def test_subjects_and_names_are_escaped(client_for: Any, agent: User, group: Group) -> None:
    evil = make_customer(name="<b>Eve</b>")
    ticket = make_ticket(evil, group_id=group.pk, subject="<script>x()</script>")
    body = page(client_for(agent), ticket)
    assert "<script>x()" not in body
    assert "&lt;script&gt;x()&lt;/script&gt;" in body
    assert "<b>Eve</b>" not in body


def test_attachments_link_to_the_download_route(
    client_for: Any, agent: User, ticket: Ticket
) -> None:
    stored = services.store_attachment(
        web(agent), ticket_id=ticket.pk, filename="report.txt", stream=io.BytesIO(b"data")
    )
    services.add_message(
        web(agent), ticket_id=ticket.pk, body="see file", attachment_ids=[stored.pk]
    )
    client = client_for(agent)
    body = page(client, ticket)
    url = f"/api/v1/attachments/{stored.pk}"
    assert f'href="{url}"' in body and "report.txt" in body
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"data"  # type: ignore[attr-defined]


def test_related_and_merged_tickets_are_linked(
    client_for: Any, agent: User, group: Group, ticket: Ticket
) -> None:
    related = make_ticket(group_id=group.pk, subject="Also the printer")
    duplicate = make_ticket(group_id=group.pk, subject="Printer again")
    hidden = make_ticket(group_id=make_group().pk, subject="Secret")
    admin = web(make_admin())
    services.link_tickets(admin, source_id=ticket.pk, target_id=related.pk, kind="related")
    services.link_tickets(admin, source_id=ticket.pk, target_id=hidden.pk, kind="related")
    services.merge_tickets(admin, source_id=duplicate.pk, target_id=ticket.pk)
    assert TicketLink.objects.count() == 2

    body = page(client_for(agent), ticket)
    assert f'href="/tickets/{related.pk}/"' in body and "Also the printer" in body
    assert "Merged into this ticket" in body and f'href="/tickets/{duplicate.pk}/"' in body
    assert "Secret" not in body

    merged = page(client_for(agent), duplicate)
    assert "Merged into" in merged and f'href="/tickets/{ticket.pk}/"' in merged
    assert 'data-composer=""' not in merged  # nothing to write on a merged ticket


def test_long_conversations_show_the_latest_and_offer_earlier_items(
    client_for: Any, agent: User, ticket: Ticket
) -> None:
    for n in range(60):
        services.add_message(web(agent), ticket_id=ticket.pk, body=f"msg-{n:02d}.", public=False)
    client = client_for(agent)
    body = page(client, ticket)
    assert "msg-59." in body and "msg-10." in body
    assert "msg-09." not in body
    assert "Show earlier" in body
    start = body.index("?before=") + len("?before=")
    before = body[start : body.index('"', start)]

    earlier = client.get(f"{reverse('ticket-timeline', args=[ticket.pk])}?before={before}")
    text = earlier.content.decode()
    assert earlier.status_code == 200
    assert "msg-09." in text and "msg-00." in text and "msg-10." not in text
    assert "Something is not working." in text

    bad = client.get(f"{reverse('ticket-timeline', args=[ticket.pk])}?before=yesterday")
    assert bad.status_code == 400


def _grow(ticket: Ticket, agent: User, n: int) -> None:
    other = make_agent(ticket.group) if ticket.group else agent
    for i in range(n):
        author = agent if i % 2 else other
        services.add_message(web(author), ticket_id=ticket.pk, body=f"m{i}", public=bool(i % 3))
        services.update_ticket(
            web(author), ticket_id=ticket.pk, version=None,
            changes={"priority": "high" if i % 2 else "low"},
        )  # fmt: skip
        stored = services.store_attachment(
            web(author), ticket_id=ticket.pk, filename=f"f{i}.txt", stream=io.BytesIO(b"x")
        )
        services.add_message(web(author), ticket_id=ticket.pk, body="f", attachment_ids=[stored.pk])
        services.log_time(web(author), ticket_id=ticket.pk, minutes=1)


@pytest.mark.parametrize("size", [3, 30])
def test_ticket_page_queries_stay_bounded(
    client_for: Any, agent: User, ticket: Ticket, size: int, django_assert_max_num_queries: Any
) -> None:
    _grow(ticket, agent, size)
    client = client_for(agent)
    with django_assert_max_num_queries(25):
        body = page(client, ticket)
    assert f"m{size - 1}" in body


@pytest.mark.parametrize("size", [3, 30])
def test_timeline_refresh_queries_stay_bounded(
    client_for: Any, agent: User, ticket: Ticket, size: int, django_assert_max_num_queries: Any
) -> None:
    _grow(ticket, agent, size)
    client = client_for(agent)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("ticket-timeline", args=[ticket.pk]))
    assert response.status_code == 200
    assert 'hx-swap-oob="true"' in response.content.decode()


@pytest.mark.parametrize(
    ("name", "extra"),
    [("ticket-field", ["subject"]), ("ticket-assign-me", []), ("ticket-solve", []),
     ("ticket-reply", []), ("ticket-upload", []), ("ticket-time-action", ["start"]),
     ("ticket-time-action", ["log"])],
)  # fmt: skip
def test_customers_cannot_write_through_any_staff_endpoint(
    client_for: Any, ticket: Ticket, customer: User, name: str, extra: list[str]
) -> None:
    client = client_for(customer)
    data = {"version": 1, "subject": "hacked", "body": "hi", "public": "0", "minutes": "5"}
    response = client.post(reverse(name, args=[ticket.pk, *extra]), data)
    assert response.status_code == 403
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.subject, fresh.version, fresh.time_spent_seconds) == ("Printer on fire", 1, 0)
    assert Message.objects.filter(ticket=ticket).count() == 1


@pytest.mark.parametrize(
    ("channel", "label", "icon"),
    [
        ("phone", "Phone", "📞"),
        ("email", "Email", "✉"),
        ("chat", "Live chat", "💬"),
        ("api", "API", "⚙"),
    ],
)
def test_each_message_shows_its_own_channel_with_an_icon(
    client_for: Any, agent: User, ticket: Ticket, channel: str, label: str, icon: str
) -> None:
    services.add_message(
        web(agent), ticket_id=ticket.pk, body="Logged the call", public=False, channel=channel
    )
    body = page(client_for(agent), ticket)
    item = body[body.rindex('<li class="message', 0, body.index("Logged the call")) :]
    badge = item[item.index('class="channel-badge"') : item.index("</span></span>") + 14]
    assert f'data-channel="{channel}"' in badge
    assert f'<span class="channel-icon" aria-hidden="true">{icon}</span> {label}' in badge
    # The first message came from the web form: each message has its own, not the ticket's.
    assert 'data-channel="web"' in body


def test_channel_labels_are_translated(client_for: Any, agent: User, ticket: Ticket) -> None:
    from django.utils import translation

    from atiende.web.templatetags.channel_badges import channel_badge, channel_label

    with translation.override("es"):
        assert channel_label("phone") == "Teléfono"
        assert channel_label("chat") == "Chat en vivo"
    assert channel_label("fax<script>") == "fax<script>"
    assert "fax&lt;script&gt;" in channel_badge("fax<script>")

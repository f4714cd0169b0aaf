"""The composer: replies and notes, @mentions, send-and-set-status, collisions, files, canned."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import Group, User
from atiende.automation.macros.services import create_macro
from atiende.automation.models import Macro, MacroUsage
from atiende.core.event_types import AgentsMentioned
from atiende.tickets import services
from atiende.tickets.models import Attachment, Message, Ticket
from atiende.tickets.services.followers import add_followers
from tests.factories import make_agent, make_customer, make_group, make_ticket, web

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def send(client: Client, ticket: Ticket, hx: dict[str, str], **data: Any) -> Any:
    data.setdefault("public", "1")
    data.setdefault("last_seen", last_id(ticket))
    return client.post(reverse("ticket-reply", args=[ticket.pk]), data, headers=hx)


def last_id(ticket: Ticket) -> int:
    return Message.objects.filter(ticket=ticket).order_by("-id").values_list("pk", flat=True)[0]


def test_public_reply_is_sent_and_the_composer_comes_back_empty(
    client_for: Any, agent: User, ticket: Ticket, hx: dict[str, str]
) -> None:
    response = send(client_for(agent), ticket, hx, body="We are on it.\n\nRegards")
    assert response.status_code == 200
    assert response["HX-Trigger"] == "ticket-changed"
    message = Message.objects.filter(ticket=ticket).latest("id")
    assert (message.public, message.author_id, message.body_text) == (
        True,
        agent.pk,
        "We are on it.\n\nRegards",
    )
    assert message.body_html == "<p>We are on it.</p><p>Regards</p>"
    body = response.content.decode()
    assert "We are on it." not in body
    assert f'name="last_seen" id="composer-last_seen" value="{message.pk}"' in body


def test_light_formatting_is_stored_as_sanitized_html(
    client_for: Any, agent: User, ticket: Ticket, hx: dict[str, str]
) -> None:
    send(client_for(agent), ticket, hx, body="**Steps**\n\n- restart\n- <script>x</script>")
    message = Message.objects.filter(ticket=ticket).latest("id")
    assert message.body_html == (
        "<p><strong>Steps</strong></p><ul><li>restart</li><li>&lt;script&gt;x&lt;/script&gt;</li></ul>"
    )


def test_internal_note(client_for: Any, agent: User, ticket: Ticket, hx: dict[str, str]) -> None:
    response = send(client_for(agent), ticket, hx, body="Check the logs", public="0")
    assert response.status_code == 200
    note = Message.objects.filter(ticket=ticket).latest("id")
    assert note.public is False and note.body_text == "Check the logs"
    assert "composer-note" in response.content.decode()  # the next one is a note too


def test_empty_message_is_refused_next_to_the_text(
    client_for: Any, agent: User, ticket: Ticket, hx: dict[str, str]
) -> None:
    response = send(client_for(agent), ticket, hx, body="   ")
    assert response.status_code == 422
    assert "The message cannot be empty." in response.content.decode()
    assert Message.objects.filter(ticket=ticket).count() == 1


def test_a_reply_on_a_closed_ticket_is_refused_with_the_reason(
    client_for: Any, agent: User, ticket: Ticket, hx: dict[str, str]
) -> None:
    services.change_status(web(agent), ticket_id=ticket.pk, status="closed")
    response = send(client_for(agent), ticket, hx, body="Hello again")
    assert response.status_code == 409
    assert "The ticket is closed; open a new ticket instead." in response.content.decode()
    assert "Hello again" in response.content.decode()
    assert not Message.objects.filter(body_text="Hello again").exists()


def test_without_htmx_sending_redirects_to_the_ticket(
    client_for: Any, agent: User, ticket: Ticket
) -> None:
    response = send(client_for(agent), ticket, {}, body="Plain form")
    assert response.status_code == 302
    assert response["Location"] == reverse("ticket", args=[ticket.pk])


def test_mentions_in_a_note_publish_agents_mentioned(
    client_for: Any, agent: User, group: Group, ticket: Ticket, hx: dict[str, str],
    published: list[Any], on_commit: Any,
) -> None:  # fmt: skip
    bea = make_agent(group, name="Bea Ruiz")
    with on_commit():
        response = send(
            client_for(agent), ticket, hx, body="@Bea Ruiz look", public="0", mentions=[bea.pk]
        )
    assert response.status_code == 200
    note = Message.objects.filter(ticket=ticket).latest("id")
    assert [e for e in published if isinstance(e, AgentsMentioned)] == [
        AgentsMentioned(ticket.pk, note.pk, agent.pk, (bea.pk,), source="web")
    ]


def test_mentioning_an_agent_who_cannot_see_the_ticket_keeps_the_text(
    client_for: Any, agent: User, ticket: Ticket, hx: dict[str, str]
) -> None:
    outsider = make_agent(make_group(), name="Zed")
    response = send(
        client_for(agent), ticket, hx, body="@Zed hi", public="0", mentions=[outsider.pk]
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "cannot be mentioned" in body
    assert "@Zed hi" in body
    assert Message.objects.filter(ticket=ticket).count() == 1


def test_mention_suggestions_list_only_agents_who_can_see_the_ticket(
    client_for: Any, agent: User, group: Group, ticket: Ticket
) -> None:
    make_agent(group, name="Bea Ruiz")
    make_agent(make_group(), name="Beto Outsider")
    make_customer(name="Betty Customer")
    response = client_for(agent).get(reverse("ticket-mentions", args=[ticket.pk]), {"q": "be"})
    body = response.content.decode()
    assert "Bea Ruiz" in body
    assert "Beto" not in body and "Betty" not in body


def test_send_and_solve_in_one_action(
    client_for: Any, agent: User, ticket: Ticket, hx: dict[str, str]
) -> None:
    response = send(client_for(agent), ticket, hx, body="Fixed.", then="solved")
    assert response.status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).status.category == "solved"
    assert Message.objects.filter(ticket=ticket, body_text="Fixed.").exists()


def test_send_and_set_pending(
    client_for: Any, agent: User, ticket: Ticket, hx: dict[str, str]
) -> None:
    send(client_for(agent), ticket, hx, body="Can you try again?", then="pending")
    assert Ticket.objects.get(pk=ticket.pk).status.category == "pending"


def test_a_refused_status_change_sends_nothing_and_keeps_the_text(
    client_for: Any, agent: User, ticket: Ticket, hx: dict[str, str]
) -> None:
    services.change_status(web(agent), ticket_id=ticket.pk, status="solved")
    response = send(
        client_for(agent), ticket, hx, body="One more thing", public="0", then="pending"
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "The ticket cannot move from “Solved” to Pending; nothing was sent." in body
    assert "One more thing" in body
    assert not Message.objects.filter(ticket=ticket, body_text="One more thing").exists()
    assert Ticket.objects.get(pk=ticket.pk).status.category == "solved"


def test_a_newer_public_message_stops_the_send_and_keeps_the_text(
    client_for: Any, agent: User, customer: User, ticket: Ticket, hx: dict[str, str]
) -> None:
    seen = last_id(ticket)
    services.add_message(web(customer), ticket_id=ticket.pk, body="Actually it works now!")
    client = client_for(agent)

    response = send(client, ticket, hx, body="Have you tried rebooting?", last_seen=seen)

    body = response.content.decode()
    assert response.status_code == 409
    assert "Luis Gómez wrote while you were typing" in body
    assert "Actually it works now!" in body
    assert "Have you tried rebooting?" in body
    assert 'name="force" value="1"' in body
    assert not Message.objects.filter(body_text="Have you tried rebooting?").exists()

    anyway = send(client, ticket, hx, body="Have you tried rebooting?", last_seen=seen, force="1")
    assert anyway.status_code == 200
    assert Message.objects.filter(body_text="Have you tried rebooting?").exists()


def test_own_messages_and_notes_do_not_count_as_collisions(
    client_for: Any, agent: User, group: Group, ticket: Ticket, hx: dict[str, str]
) -> None:
    seen = last_id(ticket)
    services.add_message(web(agent), ticket_id=ticket.pk, body="mine")
    services.add_message(web(make_agent(group)), ticket_id=ticket.pk, body="a note", public=False)
    response = send(client_for(agent), ticket, hx, body="second", last_seen=seen)
    assert response.status_code == 200


def test_files_are_uploaded_first_then_claimed_by_the_message(
    client_for: Any, agent: User, ticket: Ticket, hx: dict[str, str]
) -> None:
    client = client_for(agent)
    upload = client.post(
        reverse("ticket-upload", args=[ticket.pk]),
        {"file": [SimpleUploadedFile("a.txt", b"hello"), SimpleUploadedFile("b.txt", b"world")]},
        headers=hx,
    )
    assert upload.status_code == 200
    ids = list(Attachment.objects.filter(ticket=ticket).order_by("id").values_list("pk", flat=True))
    assert len(ids) == 2
    for pk in ids:
        assert f'name="attachment_ids" value="{pk}"' in upload.content.decode()

    response = send(client, ticket, hx, body="files", attachment_ids=ids)
    assert response.status_code == 200
    message = Message.objects.get(body_text="files")
    assert set(message.attachments.values_list("pk", flat=True)) == set(ids)


def test_empty_uploads_and_foreign_attachment_ids_are_refused(
    client_for: Any, agent: User, group: Group, ticket: Ticket, hx: dict[str, str]
) -> None:
    client = client_for(agent)
    assert (
        client.post(reverse("ticket-upload", args=[ticket.pk]), {}, headers=hx).status_code == 400
    )
    empty = client.post(
        reverse("ticket-upload", args=[ticket.pk]),
        {"file": SimpleUploadedFile("e.txt", b"")},
        headers=hx,
    )
    assert empty.status_code == 422
    other_ticket = make_ticket(group_id=group.pk)
    foreign = services.store_attachment(
        web(make_agent(group)), ticket_id=other_ticket.pk, filename="x.txt", stream=io.BytesIO(b"x")
    )
    response = send(client, ticket, hx, body="steal", attachment_ids=[foreign.pk])
    assert response.status_code == 422
    assert "Unknown or already used attachments" in response.content.decode()
    assert not Message.objects.filter(body_text="steal").exists()


def test_files_sent_with_the_form_without_js_are_attached(
    client_for: Any, agent: User, ticket: Ticket
) -> None:
    response = send(
        client_for(agent), ticket, {}, body="with file", file=SimpleUploadedFile("c.txt", b"c")
    )
    assert response.status_code == 302
    message = Message.objects.get(body_text="with file")
    assert list(message.attachments.values_list("filename", flat=True)) == ["c.txt"]


def test_canned_responses_offered_are_the_agents_own_their_groups_and_shared(
    client_for: Any, agent: User, group: Group, ticket: Ticket
) -> None:
    Macro.objects.create(name="Greeting", body="Hello")
    Macro.objects.create(name="Support hours", body="9-5", group=group)
    Macro.objects.create(name="Sales pitch", body="Buy", group=make_group())
    Macro.objects.create(name="My sign-off", body="Bye", owner=agent)
    Macro.objects.create(name="Bea's sign-off", body="Ciao", owner=make_agent(group))
    client = client_for(agent)
    body = client.get(reverse("ticket-canned", args=[ticket.pk])).content.decode()
    assert "Greeting" in body and "Support hours" in body and "My sign-off" in body
    assert "Sales pitch" not in body and "Bea" not in body
    found = client.get(reverse("ticket-canned", args=[ticket.pk]), {"canned_q": "hours"})
    assert "Support hours" in found.content.decode() and "Greeting" not in found.content.decode()


def test_inserting_a_canned_response_fills_placeholders_once(
    client_for: Any, agent: User, group: Group
) -> None:
    customer = make_customer(name="{{agent.name}} Jr", email="jr@example.com")
    ticket = make_ticket(customer, group_id=group.pk, subject="{{agent.name}}<script>")
    response = Macro.objects.create(
        name="x",
        body=(
            "Hi {{customer.first_name}}, re #{{ticket.number}} {{ticket.subject}} — "
            "{{agent.first_name}} {{unknown.thing}}"
        ),
    )
    answer = client_for(agent).post(reverse("ticket-canned-text", args=[ticket.pk, response.pk]))
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/plain")
    assert answer.content.decode() == (
        f"Hi {{{{agent.name}}}}, re #{ticket.number} {{{{agent.name}}}}<script> — "
        "Ana {{unknown.thing}}"
    )


def test_an_unavailable_canned_response_is_404(
    client_for: Any, agent: User, ticket: Ticket
) -> None:
    other = Macro.objects.create(name="x", body="secret", owner=make_agent(make_group()))
    answer = client_for(agent).post(reverse("ticket-canned-text", args=[ticket.pk, other.pk]))
    assert answer.status_code == 404
    assert "secret" not in answer.content.decode()


def test_applying_a_macro_from_the_composer_changes_the_ticket_and_returns_its_text(
    client_for: Any, agent: User, ticket: Ticket
) -> None:
    macro = create_macro(
        web(agent),
        name="Waiting",
        body="Esperamos su respuesta, {{ cliente.nombre_de_pila }}.",
        actions=[{"type": "set_status", "value": "pending"}],
    )
    client = client_for(agent)
    listed = client.get(reverse("ticket-canned", args=[ticket.pk])).content.decode()
    assert "Waiting" in listed and "1 action · Esperamos" in listed
    assert client.get(reverse("ticket-canned-text", args=[ticket.pk, macro.pk])).status_code == 405
    answer = client.post(
        reverse("ticket-canned-text", args=[ticket.pk, macro.pk]), {"version": ticket.version}
    )
    assert answer.status_code == 200
    assert answer.content.decode().startswith("Esperamos su respuesta, ")
    assert answer["HX-Trigger"] == "ticket-changed"
    ticket.refresh_from_db()
    assert ticket.status.key == "pending"
    assert MacroUsage.objects.get(macro=macro, agent=agent).count == 1
    stale = client.post(
        reverse("ticket-canned-text", args=[ticket.pk, macro.pk]), {"version": ticket.version - 1}
    )
    assert stale.status_code == 409


def test_outsiders_cannot_reply_upload_or_read_canned_text(
    client_for: Any, ticket: Ticket, hx: dict[str, str]
) -> None:
    outsider = client_for(make_agent(make_group()))
    shared = Macro.objects.create(name="x", body="{{ticket.subject}}")
    assert send(outsider, ticket, hx, body="hi").status_code == 404
    assert (
        outsider.post(
            reverse("ticket-upload", args=[ticket.pk]), {"file": SimpleUploadedFile("a.txt", b"a")}
        ).status_code
        == 404
    )
    assert (
        outsider.post(reverse("ticket-canned-text", args=[ticket.pk, shared.pk])).status_code == 404
    )
    assert outsider.get(reverse("ticket-mentions", args=[ticket.pk])).status_code == 404
    assert Message.objects.filter(ticket=ticket).count() == 1
    assert not Attachment.objects.exists()


def test_a_reply_to_many_people_asks_first(
    client_for: Any, agent: User, group: Group, hx: dict[str, str], settings: Any
) -> None:
    settings.ATIENDE_REPLY_CONFIRM_RECIPIENTS = 3
    requester = make_customer(name="Luis", email="luis@cliente-atiende.es")
    ticket = make_ticket(requester, group_id=group.pk, subject="Para todos")
    people = [make_customer(name=f"P{i}", email=f"p{i}@cliente-atiende.es") for i in range(3)]
    add_followers(web(agent), ticket_id=ticket.pk, user_ids=[p.pk for p in people])
    client = client_for(agent)

    held = send(client, ticket, hx, body="Dear all")
    body = held.content.decode()
    assert held.status_code == 409
    assert "This reply will be emailed to 4 people." in body and "p2@cliente-atiende.es" in body
    assert 'name="many_ok" value="1"' in body and "Dear all" in body
    assert not Message.objects.filter(body_text="Dear all").exists()
    note = send(client, ticket, hx, body="Only us", public="0")
    assert note.status_code == 200  # a note goes to no one: never asked

    sent = send(client, ticket, hx, body="Dear all", many_ok="1")
    assert sent.status_code == 200
    assert Message.objects.filter(body_text="Dear all", public=True).exists()
    settings.ATIENDE_REPLY_CONFIRM_RECIPIENTS = 10
    assert send(client, ticket, hx, body="Again, all").status_code == 200

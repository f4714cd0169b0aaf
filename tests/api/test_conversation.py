"""/api/v1/tickets/{id}/messages, attachments and links."""

from __future__ import annotations

from typing import Any

import pytest

from atiende.accounts.models import User
from atiende.tickets import services
from atiende.tickets.models import Attachment, Message
from tests.api.conftest import fields, problem
from tests.factories import SYSTEM, make_agent, make_customer, make_group, make_ticket

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40


@pytest.fixture
def agent() -> User:
    return make_agent(make_group("Support"))


@pytest.fixture
def ticket(agent: User) -> Any:
    return make_ticket(group_id=agent.groups.get().pk)


def test_reply_note_and_list(as_user: Any, agent: User, ticket: Any) -> None:
    api = as_user(agent)
    reply = api.post(f"/tickets/{ticket.pk}/messages", {"body": "Hola, ¿qué ocurre?"})
    assert reply.status_code == 201, reply.content
    assert reply.json()["public"] is True and reply.json()["direction"] == "out"
    note = api.post(f"/tickets/{ticket.pk}/messages", {"body": "check logs", "public": False})
    assert note.status_code == 201 and note.json()["public"] is False
    items = api.get(f"/tickets/{ticket.pk}/messages").json()["items"]
    assert [m["body_text"] for m in items] == [
        "Something is not working.",
        "Hola, ¿qué ocurre?",
        "check logs",
    ]
    customer_view = as_user(ticket.requester).get(f"/tickets/{ticket.pk}/messages").json()["items"]
    assert [m["body_text"] for m in customer_view] == [
        "Something is not working.",
        "Hola, ¿qué ocurre?",
    ]


def test_message_pagination(as_user: Any, agent: User, ticket: Any) -> None:
    for i in range(4):
        services.add_message(SYSTEM, ticket_id=ticket.pk, body=f"m{i}", public=False)
    api = as_user(agent)
    first = api.get(f"/tickets/{ticket.pk}/messages", {"limit": 3}).json()
    rest = api.get(
        f"/tickets/{ticket.pk}/messages", {"limit": 3, "cursor": first["next_cursor"]}
    ).json()
    assert len(first["items"]) == 3 and len(rest["items"]) == 2 and rest["next_cursor"] is None


def test_message_errors(as_user: Any, agent: User, ticket: Any) -> None:
    api = as_user(agent)
    body = problem(api.post(f"/tickets/{ticket.pk}/messages", {"body": "   "}), 422)
    assert fields(body) == {"body"}
    problem(api.post(f"/tickets/{ticket.pk}/messages", {"body": 12}), 422)
    problem(api.post("/tickets/987654321/messages", {"body": "x"}), 404)
    customer = ticket.requester
    problem(
        as_user(customer).post(f"/tickets/{ticket.pk}/messages", {"body": "x", "public": False}),
        403,
    )
    problem(as_user(make_customer()).post(f"/tickets/{ticket.pk}/messages", {"body": "x"}), 404)
    problem(as_user(make_agent(make_group())).get(f"/tickets/{ticket.pk}/messages"), 404)
    services.change_status(SYSTEM, ticket_id=ticket.pk, status="closed")
    problem(api.post(f"/tickets/{ticket.pk}/messages", {"body": "late"}), 409)
    assert Message.objects.filter(ticket=ticket).count() == 1


def test_attachment_upload_attach_and_download(as_user: Any, agent: User, ticket: Any) -> None:
    api = as_user(agent)
    upload = api.upload(f"/tickets/{ticket.pk}/attachments", "screen shot.txt", PNG)
    assert upload.status_code == 201, upload.content
    info = upload.json()
    assert info["content_type"] == "image/png" and info["size"] == len(PNG)
    assert info["filename"] == "screen shot.txt" and info["message_id"] is None
    message = api.post(
        f"/tickets/{ticket.pk}/messages", {"body": "see", "attachment_ids": [info["id"]]}
    )
    assert message.json()["attachments"][0]["id"] == info["id"]
    download = api.get(info["url"].removeprefix("/api/v1"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    # The requester sees files of public replies, strangers see nothing.
    assert as_user(ticket.requester).get(f"/attachments/{info['id']}").status_code == 200
    problem(as_user(make_customer()).get(f"/attachments/{info['id']}"), 404)


def test_attachment_errors(as_user: Any, agent: User, ticket: Any, settings: Any) -> None:
    api = as_user(agent)
    note_file = api.upload(f"/tickets/{ticket.pk}/attachments", "secret.txt", b"internal").json()
    api.post(
        f"/tickets/{ticket.pk}/messages",
        {"body": "n", "public": False, "attachment_ids": [note_file["id"]]},
    )
    problem(as_user(ticket.requester).get(f"/attachments/{note_file['id']}"), 404)
    settings.ATIENDE_MAX_ATTACHMENT_BYTES = 100
    problem(api.upload(f"/tickets/{ticket.pk}/attachments", "big.bin", b"x" * 101), 413)
    problem(api.upload(f"/tickets/{ticket.pk}/attachments", "empty.bin", b""), 422)
    body = problem(
        api.post(f"/tickets/{ticket.pk}/messages", {"body": "x", "attachment_ids": [424242]}), 422
    )
    assert fields(body) == {"attachment_ids"}
    problem(
        api.client.post(f"/api/v1/tickets/{ticket.pk}/attachments", {}, headers=api.headers()), 422
    )
    assert Attachment.objects.count() == 1


def test_links(as_user: Any, agent: User, ticket: Any) -> None:
    other = make_ticket(group_id=ticket.group_id)
    api = as_user(agent)
    created = api.post(f"/tickets/{ticket.pk}/links", {"target_id": other.pk, "kind": "related"})
    assert created.status_code == 201, created.content
    link = created.json()
    assert link["source_id"] == ticket.pk and link["target_id"] == other.pk
    assert [x["id"] for x in api.get(f"/tickets/{other.pk}/links").json()] == [link["id"]]
    problem(
        api.post(f"/tickets/{ticket.pk}/links", {"target_id": other.pk, "kind": "related"}), 409
    )
    problem(
        api.post(f"/tickets/{ticket.pk}/links", {"target_id": other.pk, "kind": "sibling"}), 422
    )
    hidden = make_ticket(group_id=make_group().pk)
    body = problem(
        api.post(f"/tickets/{ticket.pk}/links", {"target_id": hidden.pk, "kind": "related"}), 422
    )
    assert fields(body) == {"target_id"}
    problem(
        as_user(ticket.requester).post(
            f"/tickets/{ticket.pk}/links", {"target_id": other.pk, "kind": "related"}
        ),
        403,
    )
    assert api.delete(f"/tickets/{ticket.pk}/links/{link['id']}").status_code == 204
    problem(api.delete(f"/tickets/{ticket.pk}/links/{link['id']}"), 404)


def test_reply_and_set_status_in_one_call(as_user: Any, agent: User, ticket: Any) -> None:
    api = as_user(agent)
    answer = api.post(
        f"/tickets/{ticket.pk}/messages",
        {"body": "Fixed it.", "status": "solved", "version": ticket.version},
    )
    assert answer.status_code == 201, answer.content
    ticket.refresh_from_db()
    assert ticket.status.key == "solved"
    assert Message.objects.filter(ticket=ticket, body_text="Fixed it.").exists()


@pytest.mark.parametrize(
    ("extra", "status", "field"),
    [({"status": "no-such-status"}, 422, "status"), ({"version": 99}, 409, None)],
)
def test_a_refused_status_or_stale_version_sends_no_reply(
    as_user: Any, agent: User, ticket: Any, extra: dict[str, Any], status: int, field: str | None
) -> None:
    body = problem(
        as_user(agent).post(f"/tickets/{ticket.pk}/messages", {"body": "Done.", **extra}), status
    )
    if field:
        assert fields(body) == {field}
    assert not Message.objects.filter(ticket=ticket, body_text="Done.").exists()
    ticket.refresh_from_db()
    assert ticket.status.key == "new" and ticket.version == 1

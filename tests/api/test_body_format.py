"""``format`` of API bodies: Markdown goes through the composer's renderer, HTML is cleaned."""

from __future__ import annotations

from typing import Any

import pytest

from atiende.accounts.models import User
from atiende.tickets.models import Message
from tests.api.conftest import fields, problem
from tests.factories import make_agent, make_group, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent() -> User:
    return make_agent(make_group("Support"))


@pytest.fixture
def ticket(agent: User) -> Any:
    return make_ticket(group_id=agent.groups.get().pk)


def test_a_markdown_reply_is_stored_as_html_and_readable_text(
    as_user: Any, agent: User, ticket: Any
) -> None:
    body = "**Hecho**:\n\n- reinicie\n- [entre](https://atiende.test/login)"
    response = as_user(agent).post(
        f"/tickets/{ticket.pk}/messages", {"body": body, "format": "markdown"}
    )
    assert response.status_code == 201, response.content
    message = Message.objects.get(pk=response.json()["id"])
    assert message.body_html == (
        "<p><strong>Hecho</strong>:</p><ul><li>reinicie</li><li>"
        '<a href="https://atiende.test/login" rel="noopener noreferrer nofollow">entre</a>'
        "</li></ul>"
    )
    assert message.body_text == "Hecho:\n\n- reinicie\n- entre <https://atiende.test/login>"


def test_a_ticket_opened_in_markdown_neutralises_hostile_input(as_user: Any, agent: User) -> None:
    response = as_user(agent).post(
        "/tickets",
        {
            "subject": "Markdown",
            "body": '<img src=x onerror="alert(1)"> [x](javascript:alert(1)) *ok*',
            "format": "markdown",
            "requester": {"email": "ana@example.com"},
        },
    )
    assert response.status_code == 201, response.content
    message = Message.objects.filter(ticket_id=response.json()["id"]).get()
    assert message.body_html == (
        '<p>&lt;img src=x onerror="alert(1)"&gt; [x](javascript:alert(1)) <em>ok</em></p>'
    )


def test_html_format_is_sanitized_and_given_a_text_part(
    as_user: Any, agent: User, ticket: Any
) -> None:
    response = as_user(agent).post(
        f"/tickets/{ticket.pk}/messages",
        {"body": '<p onclick="x()">Hi <b>there</b></p><script>alert(1)</script>', "format": "html"},
    )
    assert response.status_code == 201, response.content
    message = Message.objects.get(pk=response.json()["id"])
    assert message.body_html == "<p>Hi <b>there</b></p>"
    assert message.body_text == "Hi there"


@pytest.mark.parametrize("body_format", ["markdown", "html"])
def test_body_html_with_a_rendered_format_is_refused(
    as_user: Any, agent: User, ticket: Any, body_format: str
) -> None:
    response = as_user(agent).post(
        f"/tickets/{ticket.pk}/messages",
        {"body": "x", "body_html": "<p>y</p>", "format": body_format},
    )
    assert fields(problem(response, 422)) == {"body_html"}


def test_an_unknown_format_is_refused(as_user: Any, agent: User, ticket: Any) -> None:
    response = as_user(agent).post(f"/tickets/{ticket.pk}/messages", {"body": "x", "format": "rtf"})
    assert response.status_code == 422


def test_the_schema_declares_the_formats(client: Any) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    found = schema["components"]["schemas"]["MessageCreateIn"]["properties"]["format"]
    assert found["enum"] == ["text", "markdown", "html"] and found["default"] == "text"

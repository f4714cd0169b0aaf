"""A mailing list in To or Cc never becomes a follower: every reply would mail the list."""

from __future__ import annotations

import pytest

from tests.messaging.mail import build, deliver, make_mailbox

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "headers",
    [
        {"List-Id": "Clientes <clientes.listas.customer.test>"},
        {"List-Id": "<x.y.test>", "List-Post": "<mailto:clientes@listas.customer.test>"},
    ],
    ids=["list-id", "list-post"],
)
def test_the_list_does_not_follow_but_the_people_do(headers: dict[str, str]) -> None:
    row = deliver(
        build(
            cc=["Clientes <clientes@listas.customer.test>", "Bea <bea@customer.test>"],
            headers=headers,
        ),
        make_mailbox(),
    )

    assert row.ticket is not None
    assert [u.email for u in row.ticket.followers.all()] == ["bea@customer.test"]

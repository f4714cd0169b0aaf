"""The screen-pop: a ringing call reaches the workspace sockets of the staff who answer the line,
with the caller's customer and the open tickets each of them may see; nobody else's.

The real ASGI application and a real session per user (``tests/realtime``), the call written
by ``services.calls`` as the webhook's processing writes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from atiende.accounts.services import add_identity
from atiende.core.actor import Actor, Source
from atiende.messaging.channels import services
from atiende.messaging.channels.contract import CallEvent, CallState
from atiende.messaging.channels.services.calls import write_call
from atiende.messaging.models import ChannelAccount
from tests.factories import SYSTEM, make_admin, make_agent, make_customer, make_group, make_ticket
from tests.realtime.conftest import (
    _fast_polling,
    communicator,
    connect,
    receive_type,
    thread_connections,
)

pytestmark = [
    pytest.mark.usefixtures("thread_connections"),
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# The socket fixtures of ``tests/realtime``: fast polling, a signed-in socket, closed connections.
__all__ = ["_fast_polling", "connect", "thread_connections"]

CALLER = "+34600123456"
CHANNEL = Actor(user=None, source=Source.CHANNEL, detail="generic_pbx:test")


def ring(account: ChannelAccount, call_id: str = "c-1", **fields: Any) -> None:
    """One step of a call, written as processing writes it: in one transaction."""
    step = CallEvent(
        call_id=call_id,
        state=fields.pop("state", CallState.RINGING),
        caller=fields.pop("caller", CALLER),
        **fields,
    )
    with transaction.atomic():
        write_call(CHANNEL, account, step)


@database_sync_to_async
def line_with_people() -> dict[str, Any]:
    support, sales = make_group("Soporte"), make_group("Ventas")
    account = services.create_account(
        SYSTEM,
        provider="generic_pbx",
        name="Centralita",
        group_id=support.pk,
        secrets={"token": "t"},
    )
    lucia = make_customer(name="Lucía Pérez", email="lucia@example.com")
    add_identity(SYSTEM, user_id=lucia.pk, channel="phone", value=CALLER)
    seen = make_ticket(lucia, subject="Factura duplicada", group_id=support.pk)
    other_group = make_ticket(lucia, subject="Presupuesto", group_id=sales.pk)
    return {
        "account": account,
        "lucia": lucia,
        "seen": seen,
        "hidden": other_group,
        "support_agent": make_agent(support),
        "sales_agent": make_agent(sales),
        "admin": make_admin(),
        "customer": lucia,
    }


async def test_a_ringing_call_pops_up_for_the_lines_staff_with_the_tickets_they_may_see(
    connect: Callable[..., Any],
) -> None:
    world = await line_with_people()
    agent_socket, _ = await connect(world["support_agent"])
    admin_socket, _ = await connect(world["admin"])

    await database_sync_to_async(ring)(world["account"])

    pop = await receive_type(agent_socket, "call.ringing")
    assert pop["number"] == CALLER and pop["direction"] == "inbound"
    assert pop["account"] == "Centralita"
    assert pop["customer"] == {
        "id": world["lucia"].pk,
        "name": "Lucía Pérez",
        "email": "lucia@example.com",
    }
    # The support agent sees the support ticket only; the admin sees both.
    assert [t["subject"] for t in pop["tickets"]] == ["Factura duplicada"]
    assert pop["tickets"][0]["id"] == world["seen"].pk
    admins = await receive_type(admin_socket, "call.ringing")
    assert {t["subject"] for t in admins["tickets"]} == {"Factura duplicada", "Presupuesto"}
    await agent_socket.disconnect()
    await admin_socket.disconnect()


async def test_another_groups_agent_gets_no_pop_up(connect: Callable[..., Any]) -> None:
    world = await line_with_people()
    sales_socket, _ = await connect(world["sales_agent"])
    support_socket, _ = await connect(world["support_agent"])

    await database_sync_to_async(ring)(world["account"])
    await receive_type(support_socket, "call.ringing")
    # A later event for everyone: once the sales agent has it, the pop-up would have come first.
    await database_sync_to_async(make_ticket)(world["lucia"], subject="Después")

    seen = []
    while True:
        message = await receive_type(sales_socket, "call.ringing", "ticket.created")
        seen.append(message["type"])
        if message["type"] == "ticket.created":
            break
    assert seen == ["ticket.created"]
    await sales_socket.disconnect()
    await support_socket.disconnect()


async def test_a_customer_cannot_open_the_socket_that_pops_calls() -> None:
    world = await line_with_people()
    comm = await communicator(world["customer"])
    await comm.connect()
    assert await comm.receive_output() == {"type": "websocket.close", "code": 4403}


async def test_the_pop_up_is_told_when_the_call_is_answered(connect: Callable[..., Any]) -> None:
    world = await line_with_people()
    socket, _ = await connect(world["support_agent"])

    await database_sync_to_async(ring)(world["account"])
    await receive_type(socket, "call.ringing")
    await database_sync_to_async(ring)(world["account"], state=CallState.ANSWERED, agent="201")

    update = await receive_type(socket, "call.updated")
    assert update["state"] == "answered" and update["agent"] == "201"
    await socket.disconnect()


async def test_an_unknown_caller_pops_up_with_the_number_only(
    connect: Callable[..., Any],
) -> None:
    world = await line_with_people()
    socket, _ = await connect(world["support_agent"])

    await database_sync_to_async(ring)(world["account"], call_id="c-2", caller="anonymous")

    pop = await receive_type(socket, "call.ringing")
    assert pop["customer"] is None and pop["tickets"] == [] and pop["number"] == "anonymous"
    await socket.disconnect()

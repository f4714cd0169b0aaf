"""A workspace page connecting its socket is the agent's activity: assignment reads it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from atiende.accounts.selectors import effective_status
from tests.factories import make_agent, make_group

pytestmark = [
    pytest.mark.usefixtures("thread_connections"),
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _status(user_id: int) -> str:
    return effective_status(user_id, timezone.now())


async def test_saying_hello_marks_the_agent_active(connect: Callable[..., Any]) -> None:
    agent = await database_sync_to_async(lambda: make_agent(make_group()))()
    assert await database_sync_to_async(_status)(agent.pk) == "offline"  # never seen

    comm, _welcome = await connect(agent)

    assert await database_sync_to_async(_status)(agent.pk) == "online"
    await comm.disconnect()

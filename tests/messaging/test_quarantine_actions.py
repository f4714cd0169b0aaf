"""Admins decide about quarantined mail: retry, open a ticket anyway, or discard."""

from __future__ import annotations

import pytest

from atiende.core.errors import Conflict, Forbidden, NotFound
from atiende.messaging.models import InboundState
from atiende.messaging.services import create_ticket_anyway, discard_inbound, retry_inbound
from atiende.tickets.models import Ticket
from tests.factories import make_admin, make_agent, web
from tests.messaging.mail import build, deliver, make_mailbox

pytestmark = pytest.mark.django_db


def test_retry_processes_a_message_again(settings: object) -> None:
    settings.ATIENDE_MAIL_RATE_LIMIT = (0, 600)  # type: ignore[attr-defined]
    row = deliver(build(), make_mailbox())
    assert row.state == InboundState.QUARANTINED and row.reason.startswith("Rate limited")
    settings.ATIENDE_MAIL_RATE_LIMIT = None  # type: ignore[attr-defined]

    again = retry_inbound(web(make_admin()), inbound_id=row.pk)

    assert again.state == InboundState.PROCESSED and again.ticket is not None


def test_create_ticket_anyway_bypasses_classification_and_threading() -> None:
    admin = make_admin()
    row = deliver(build(sender=""), make_mailbox())
    assert row.state == InboundState.QUARANTINED

    done = create_ticket_anyway(web(admin), inbound_id=row.pk)

    assert done.state == InboundState.PROCESSED and done.ticket is not None
    assert done.ticket.requester == admin and done.ticket_message is not None


def test_create_ticket_anyway_on_unreadable_bytes_uses_the_fallback_text() -> None:
    row = deliver(b"\r\n\r\n", make_mailbox())
    done = create_ticket_anyway(web(make_admin()), inbound_id=row.pk)

    assert done.ticket_message is not None
    assert done.ticket_message.body_text == "(unreadable message)"


def test_discard_keeps_the_row_as_discarded() -> None:
    row = deliver(b"", make_mailbox())
    done = discard_inbound(web(make_admin()), inbound_id=row.pk)

    assert done.state == InboundState.DISCARDED and Ticket.objects.count() == 0


@pytest.mark.parametrize("action", [retry_inbound, create_ticket_anyway, discard_inbound])
def test_only_admins_may_decide(action: object) -> None:
    row = deliver(b"", make_mailbox())
    with pytest.raises(Forbidden):
        action(web(make_agent()), inbound_id=row.pk)  # type: ignore[operator]


@pytest.mark.parametrize("action", [retry_inbound, create_ticket_anyway, discard_inbound])
def test_clear_errors_for_unknown_ids_and_processed_messages(action: object) -> None:
    admin = web(make_admin())
    with pytest.raises(NotFound):
        action(admin, inbound_id=999_999)  # type: ignore[operator]
    processed = deliver(build(), make_mailbox())
    with pytest.raises(Conflict, match="Processed"):
        action(admin, inbound_id=processed.pk)  # type: ignore[operator]

"""The ticket page's phone parts: logging a call by hand, click-to-call on phone identities, and
a call recording played in the timeline."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from atiende.accounts.services import add_identity
from atiende.core.errors import Forbidden
from atiende.messaging.channels.services.manual_calls import log_call
from atiende.messaging.models import Call, CallDirection, CallState
from atiende.tickets import services as tickets
from atiende.tickets.models import Message
from tests.factories import SYSTEM, make_agent, make_customer, make_group, make_ticket, web
from tests.messaging.channels.fake_recordings import wav_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HTMX = {"HX-Request": "true"}


@pytest.fixture
def setup() -> dict[str, Any]:
    group = make_group()
    agent = make_agent(group, name="Ana Agent")
    customer = make_customer(name="Lucía Pérez")
    ticket = make_ticket(customer, subject="Factura", group_id=group.pk)
    return {"group": group, "agent": agent, "customer": customer, "ticket": ticket}


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_agent_logs_a_call_by_hand_and_it_shows_in_the_timeline(
    setup: dict[str, Any],
) -> None:
    client = signed_in(setup["agent"])
    ticket = setup["ticket"]

    answer = client.post(
        f"/tickets/{ticket.pk}/calls/",
        {"direction": "outbound", "number": "+34 600 12 34 56", "minutes": "5", "note": "Ok."},
        headers=HTMX,
    )

    assert answer.status_code == 200
    assert answer["HX-Trigger"] == "ticket-changed"
    assert "The call is logged" in answer.content.decode()
    call = Call.objects.get()
    assert (call.direction, call.called, call.duration, call.state) == (
        CallDirection.OUTBOUND,
        "+34600123456",
        300,
        CallState.ENDED,
    )
    assert call.agent_id == setup["agent"].pk and call.account_id is None
    note = Message.objects.get(pk=call.message_id)
    assert not note.public and note.channel == "phone" and note.author_id == setup["agent"].pk
    assert "Outbound call to +34600123456" in note.body_text
    assert "Agent: Ana Agent" in note.body_text and "Duration: 5 min 0 s" in note.body_text
    assert note.body_text.endswith("Ok.")
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Outbound call to +34600123456" in page


def test_a_bad_number_is_shown_next_to_the_field_and_nothing_is_logged(
    setup: dict[str, Any],
) -> None:
    client = signed_in(setup["agent"])

    answer = client.post(
        f"/tickets/{setup['ticket'].pk}/calls/",
        {"direction": "inbound", "number": "call me maybe", "minutes": "1"},
        headers=HTMX,
    )

    assert answer.status_code == 422
    assert 'id="call-number_error"' in answer.content.decode()
    assert not Call.objects.exists()


def test_a_negative_duration_is_refused(setup: dict[str, Any]) -> None:
    client = signed_in(setup["agent"])
    answer = client.post(
        f"/tickets/{setup['ticket'].pk}/calls/",
        {"direction": "inbound", "number": "+34600123456", "minutes": "-3"},
        headers=HTMX,
    )
    assert answer.status_code == 422 and not Call.objects.exists()


def test_an_agent_of_another_group_cannot_log_a_call_on_the_ticket(
    setup: dict[str, Any],
) -> None:
    outsider = make_agent(make_group())
    answer = signed_in(outsider).post(
        f"/tickets/{setup['ticket'].pk}/calls/",
        {"direction": "inbound", "number": "+34600123456", "minutes": "1"},
    )
    assert answer.status_code == 404 and not Call.objects.exists()


def test_a_customer_cannot_log_calls(setup: dict[str, Any]) -> None:
    customer = setup["customer"]
    answer = signed_in(customer).post(
        f"/tickets/{setup['ticket'].pk}/calls/",
        {"direction": "inbound", "number": "+34600123456", "minutes": "1"},
    )
    assert answer.status_code in (302, 403) and not Call.objects.exists()
    with pytest.raises(Forbidden):
        log_call(
            web(customer),
            ticket_id=setup["ticket"].pk,
            direction="inbound",
            number="+34600123456",
            duration=60,
        )


def test_the_panel_opens_with_the_form(setup: dict[str, Any]) -> None:
    client = signed_in(setup["agent"])
    page = client.get(f"/tickets/{setup['ticket'].pk}/").content.decode()
    assert f'hx-get="/tickets/{setup["ticket"].pk}/calls/"' in page

    panel = client.get(f"/tickets/{setup['ticket'].pk}/calls/", headers=HTMX).content.decode()
    assert '<details class="call-log" open>' in panel and 'name="number"' in panel


def test_phone_identities_are_click_to_call_links(setup: dict[str, Any]) -> None:
    add_identity(SYSTEM, user_id=setup["customer"].pk, channel="phone", value="+34600123456")
    add_identity(SYSTEM, user_id=setup["customer"].pk, channel="telegram", value="lucia_p")
    client = signed_in(setup["agent"])

    panel = client.get(f"/tickets/{setup['ticket'].pk}/").content.decode()
    assert '<a href="tel:+34600123456" class="tel-link">+34600123456</a>' in panel
    assert "tel:lucia_p" not in panel
    detail = client.get(f"/customers/{setup['customer'].pk}/").content.decode()
    assert 'href="tel:+34600123456"' in detail


def test_a_recording_in_the_timeline_is_playable(setup: dict[str, Any]) -> None:
    import io

    ticket = setup["ticket"]
    actor = web(setup["agent"])
    audio = tickets.store_attachment(
        actor, ticket_id=ticket.pk, filename="call.wav", stream=io.BytesIO(wav_bytes())
    )
    text = tickets.store_attachment(
        actor, ticket_id=ticket.pk, filename="notes.txt", stream=io.BytesIO(b"just text")
    )
    tickets.add_message(
        actor,
        ticket_id=ticket.pk,
        body="Recording",
        public=False,
        attachment_ids=[audio.pk, text.pk],
    )

    page = signed_in(setup["agent"]).get(f"/tickets/{ticket.pk}/").content.decode()

    assert f'<audio controls preload="none" src="/api/v1/attachments/{audio.pk}"' in page
    assert f'src="/api/v1/attachments/{text.pk}"' not in page

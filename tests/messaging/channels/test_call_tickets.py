"""Phone calls become tickets, end to end: Twilio's voice callbacks and our PBX JSON through the
real webhook view, stored raw, read by the adapters and written by ``services.calls``; the
recordings downloaded from a fake server on loopback through the outbox."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from atiende.accounts.models import Identity, User
from atiende.accounts.services import add_identity
from atiende.messaging.channels import services
from atiende.messaging.models import (
    Call,
    CallState,
    ChannelAccount,
    ChannelPayload,
    ChannelPayloadState,
)
from atiende.tickets.models import Message, Ticket
from atiende.tickets.services import change_status
from tests.factories import SYSTEM, make_agent, make_customer, make_group
from tests.messaging.channels import fake_twilio
from tests.messaging.channels.fake_recordings import (
    FakeRecordings,
    mp3_bytes,
    recordings_server_fixture,
)
from tests.messaging.channels.fake_twilio import ACCOUNT_SID, AUTH_TOKEN

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

__all__ = ["recordings_server_fixture"]

CALLER = "+34600123456"
OUR_LINE = "+34910000000"
PBX_TOKEN = "pbx-token-0123456789"
CALL_SID = "CA" + "1f" * 16


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    """The view's processing task and the outbox's deliveries run at once, in the test."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }


@pytest.fixture
def hook(client: Client, on_commit: Callable[..., Any]) -> Callable[..., Any]:
    """POST a request to an account's webhook, its after-commit work (the outbox) done."""

    def post(account: ChannelAccount, body: bytes, content_type: str, **headers: str) -> Any:
        with on_commit():
            return client.post(
                f"/hooks/{account.webhook_key}/",
                data=body,
                content_type=content_type,
                headers=headers,
            )

    return post


def twilio_account(api_base: str = "https://api.twilio.com", **fields: Any) -> ChannelAccount:
    fields.setdefault("group_id", make_group().pk)
    return services.create_account(
        SYSTEM,
        provider="twilio_voice",
        name="Línea de soporte",
        settings={"account_sid": ACCOUNT_SID, "api_base": api_base},
        secrets={"auth_token": AUTH_TOKEN},
        **fields,
    )


def pbx_account(**fields: Any) -> ChannelAccount:
    fields.setdefault("group_id", make_group().pk)
    return services.create_account(
        SYSTEM, provider="generic_pbx", name="Asterisk", secrets={"token": PBX_TOKEN}, **fields
    )


def twilio_status(status: str, sid: str = CALL_SID, **extra: str) -> dict[str, str]:
    """Twilio's call status callback, with the parameters it documents."""
    return {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "CallSid": sid,
        "CallStatus": status,
        "Called": OUR_LINE,
        "Caller": CALLER,
        "Direction": "inbound",
        "From": CALLER,
        "To": OUR_LINE,
        "Timestamp": "Mon, 07 Dec 2026 10:00:00 +0000",
        "CallbackSource": "call-progress-events",
        "SequenceNumber": "0",
        **extra,
    }


def recording_callback(url: str, sid: str = CALL_SID) -> dict[str, str]:
    return {
        "AccountSid": ACCOUNT_SID,
        "CallSid": sid,
        "RecordingSid": "RE" + "2e" * 16,
        "RecordingUrl": url,
        "RecordingStatus": "completed",
        "RecordingDuration": "192",
        "RecordingChannels": "1",
        "RecordingSource": "DialVerb",
    }


@pytest.fixture
def twilio(hook: Callable[..., Any]) -> Callable[..., Any]:
    def post(account: ChannelAccount, params: dict[str, str]) -> Any:
        incoming = fake_twilio.webhook(
            params, url=f"http://testserver/hooks/{account.webhook_key}/"
        )
        headers = {k: v for k, v in incoming.headers.items() if k != "content-type"}
        return hook(account, incoming.body, "application/x-www-form-urlencoded", **headers)

    return post


@pytest.fixture
def pbx(hook: Callable[..., Any]) -> Callable[..., Any]:
    def post(account: ChannelAccount, **fields: Any) -> Any:
        body = json.dumps({"call_id": "1733565600.42", "caller": CALLER, **fields}).encode()
        return hook(account, body, "application/json", authorization=f"Bearer {PBX_TOKEN}")

    return post


def last_payload() -> ChannelPayload:
    return ChannelPayload.objects.order_by("-pk")[0]


# --- Twilio: ringing, answered, completed ---------------------------------------------------


def test_a_twilio_call_rung_answered_and_completed_is_logged_with_its_duration(
    twilio: Callable[..., Any],
) -> None:
    account = twilio_account()
    ana = make_agent(make_group(), email="ana@example.com", name="Ana Agent")
    lucia = make_customer(name="Lucía Pérez")
    add_identity(SYSTEM, user_id=lucia.pk, channel="phone", value=CALLER)

    assert twilio(account, twilio_status("ringing")).status_code == 200
    call = Call.objects.get()
    assert (call.state, call.customer_id, call.caller, call.called) == (
        CallState.RINGING,
        lucia.pk,
        CALLER,
        OUR_LINE,
    )
    assert not Ticket.objects.exists()  # ringing is a pop-up, not a ticket

    twilio(account, twilio_status("in-progress", To="client:ana@example.com"))
    twilio(account, twilio_status("completed", CallDuration="192"))

    call.refresh_from_db()
    assert call.state == CallState.ENDED and call.duration == 192
    assert call.agent_id == ana.pk
    ticket = Ticket.objects.get()
    assert ticket.requester_id == lucia.pk and ticket.channel == "phone"
    assert ticket.group_id == account.group_id
    assert ticket.subject == f"Call from Lucía Pérez ({CALLER})"
    log = Message.objects.get(ticket=ticket)
    assert not log.public and log.channel == "phone" and log.pk == call.message_id
    assert f"Inbound call from {CALLER}" in log.body_text
    assert "Agent: Ana Agent" in log.body_text
    assert "Duration: 3 min 12 s" in log.body_text
    assert last_payload().state == ChannelPayloadState.PROCESSED


def test_a_second_call_is_logged_on_the_callers_open_ticket(twilio: Callable[..., Any]) -> None:
    account = twilio_account()
    twilio(account, twilio_status("completed", CallDuration="60"))
    twilio(account, twilio_status("completed", sid="CA" + "2b" * 16, CallDuration="30"))

    ticket = Ticket.objects.get()
    assert Message.objects.filter(ticket=ticket).count() == 2
    assert Call.objects.filter(ticket=ticket).count() == 2


def test_after_the_ticket_is_solved_a_call_opens_a_new_one(twilio: Callable[..., Any]) -> None:
    account = twilio_account()
    twilio(account, twilio_status("completed", CallDuration="60"))
    first = Ticket.objects.get()
    change_status(SYSTEM, ticket_id=first.pk, version=first.version, status="solved")

    twilio(account, twilio_status("completed", sid="CA" + "3c" * 16, CallDuration="30"))

    assert Ticket.objects.count() == 2


def test_a_new_caller_becomes_a_customer_with_a_phone_identity(
    twilio: Callable[..., Any],
) -> None:
    account = twilio_account()
    twilio(account, twilio_status("completed", CallDuration="5"))

    identity = Identity.objects.get(channel="phone")
    assert identity.value == CALLER
    assert identity.user.is_customer and identity.user.email is None
    assert Ticket.objects.get().subject == f"Call from {CALLER}"


# --- missed calls ---------------------------------------------------------------------------


def test_a_missed_pbx_call_opens_a_callback_ticket(pbx: Callable[..., Any]) -> None:
    account = pbx_account()

    assert pbx(account, event="ringing", called=OUR_LINE).status_code == 200
    pbx(account, event="missed", called=OUR_LINE)

    ticket = Ticket.objects.get()
    assert ticket.subject == f"Missed call from {CALLER}"
    assert ticket.priority.key == "normal"
    assert list(ticket.tags.values_list("name", flat=True)) == ["callback"]
    assert ticket.group_id == account.group_id
    body = Message.objects.get(ticket=ticket).body_text
    assert f"Missed call from {CALLER}" in body and "Call them back." in body
    assert Call.objects.get().state == CallState.MISSED


def test_a_caller_missed_again_is_added_to_the_same_callback_ticket(
    pbx: Callable[..., Any],
) -> None:
    account = pbx_account()
    pbx(account, call_id="a.1", event="missed")
    pbx(account, call_id="a.2", event="missed")

    ticket = Ticket.objects.get()
    assert Message.objects.filter(ticket=ticket).count() == 2


@pytest.mark.parametrize("status", ["busy", "no-answer", "canceled"])
def test_twilio_busy_no_answer_and_cancelled_are_missed_calls(
    twilio: Callable[..., Any], status: str
) -> None:
    account = twilio_account()
    twilio(account, twilio_status("ringing"))
    twilio(account, twilio_status(status))

    assert Ticket.objects.get().subject == f"Missed call from {CALLER}"


def test_an_anonymous_missed_call_is_kept_without_a_ticket_and_says_why(
    pbx: Callable[..., Any],
) -> None:
    account = pbx_account()
    pbx(account, event="missed", caller="anonymous")

    assert not Ticket.objects.exists()
    call = Call.objects.get()
    assert call.state == CallState.MISSED and call.caller == "anonymous"
    payload = last_payload()
    assert payload.state == ChannelPayloadState.PROCESSED
    assert "not a phone number, so no ticket was opened" in payload.reason


def test_a_suspended_caller_gets_no_ticket(pbx: Callable[..., Any]) -> None:
    account = pbx_account()
    blocked = make_customer(is_active=False)
    add_identity(SYSTEM, user_id=blocked.pk, channel="phone", value=CALLER)

    pbx(account, event="missed")

    assert not Ticket.objects.exists()
    assert "suspended" in last_payload().reason


# --- unknown calls, repeats, order ------------------------------------------------------------


def test_a_hangup_of_a_call_never_heard_of_creates_the_call_from_what_it_says(
    pbx: Callable[..., Any],
) -> None:
    account = pbx_account(settings={"agent_extensions": "201=luis@example.com, 202=x@example.com"})
    agent = make_agent(make_group(), email="luis@example.com")

    answer = pbx(account, event="hangup", agent="201", duration=75)

    assert answer.status_code == 200
    call = Call.objects.get()
    assert (call.state, call.duration, call.agent_id) == (CallState.ENDED, 75, agent.pk)
    assert "Duration: 1 min 15 s" in Message.objects.get().body_text
    assert last_payload().state == ChannelPayloadState.PROCESSED


def test_a_recording_of_an_unknown_call_is_kept_until_the_call_ends(
    twilio: Callable[..., Any], recordings_server: FakeRecordings
) -> None:
    account = twilio_account(api_base=recordings_server.base_url)
    recordings_server.files[recordings_server.twilio_path("RE1")] = mp3_bytes()

    twilio(account, recording_callback(recordings_server.twilio_url("RE1")))
    call = Call.objects.get()
    assert call.recording_url and call.ticket_id is None
    assert not recordings_server.requests  # nothing to attach it to yet

    twilio(account, twilio_status("completed", CallDuration="192"))

    call.refresh_from_db()
    assert call.recording is not None and call.recording.message_id == call.message_id


def test_the_same_callback_twice_is_written_once(twilio: Callable[..., Any]) -> None:
    account = twilio_account()
    completed = twilio_status("completed", CallDuration="192")

    twilio(account, completed)
    twilio(account, completed)

    assert Call.objects.count() == 1 and Message.objects.count() == 1
    first, second = ChannelPayload.objects.order_by("pk")
    assert first.state == ChannelPayloadState.PROCESSED
    assert second.state == ChannelPayloadState.IGNORED
    assert "changed nothing" in second.reason


def test_a_late_ringing_after_the_hangup_changes_nothing(twilio: Callable[..., Any]) -> None:
    account = twilio_account()
    twilio(account, twilio_status("in-progress"))
    twilio(account, twilio_status("completed", CallDuration="42"))
    twilio(account, twilio_status("ringing"))  # delivered late

    call = Call.objects.get()
    assert call.state == CallState.ENDED and call.duration == 42
    assert Message.objects.count() == 1
    assert "changed nothing" in last_payload().reason


def test_an_answer_told_after_the_end_fills_in_when_it_was_answered(
    pbx: Callable[..., Any],
) -> None:
    account = pbx_account()
    pbx(account, event="hangup", duration=30, timestamp="2026-12-07T10:05:00+00:00")
    pbx(account, event="answered", agent="201", timestamp="2026-12-07T10:04:30+00:00")

    call = Call.objects.get()
    assert call.state == CallState.ENDED
    assert call.answered_at is not None and call.answered_at.minute == 4
    assert call.agent_address == "201"


def test_the_same_call_id_on_two_lines_is_two_calls(pbx: Callable[..., Any]) -> None:
    first, second = pbx_account(), pbx_account()
    pbx(first, event="missed")
    pbx(second, event="missed")

    assert Call.objects.count() == 2 and Ticket.objects.count() == 2


def test_a_step_without_a_call_id_is_quarantined_naming_the_field(
    hook: Callable[..., Any],
) -> None:
    account = pbx_account()
    body = json.dumps({"event": "missed", "caller": CALLER}).encode()

    hook(account, body, "application/json", authorization=f"Bearer {PBX_TOKEN}")

    payload = last_payload()
    assert payload.state == ChannelPayloadState.QUARANTINED
    assert "call_id" in payload.reason
    assert not Call.objects.exists()


def test_an_agent_is_found_by_the_number_in_their_profile(pbx: Callable[..., Any]) -> None:
    account = pbx_account()
    agent = make_agent(make_group(), phone="+34 910 000 201")
    pbx(account, event="hangup", agent="0034910000201", duration=10)

    assert Call.objects.get().agent_id == agent.pk


def test_a_call_answered_by_an_unknown_extension_names_the_extension(
    pbx: Callable[..., Any],
) -> None:
    account = pbx_account()
    pbx(account, event="hangup", agent="299", duration=10)

    assert "Agent: 299" in Message.objects.get().body_text
    assert Call.objects.get().agent_id is None
    assert User.objects.filter(role="customer").count() == 1

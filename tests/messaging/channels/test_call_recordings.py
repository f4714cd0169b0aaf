"""Call recordings, end to end: the recording's URL from Twilio's callbacks or our PBX JSON,
downloaded through the outbox from a fake server on loopback, attached to the call's log entry;
too large, not audio or failing servers each with a clear answer and nothing lost."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from atiende.messaging.models import Call
from atiende.outbox import delivery
from atiende.outbox.models import Effect, EffectState
from atiende.tickets.models import Attachment, Message
from tests.messaging.channels.fake_recordings import (
    FakeRecordings,
    mp3_bytes,
    recordings_server_fixture,
    wav_bytes,
)
from tests.messaging.channels.test_call_tickets import (
    CALL_SID,
    _tasks_run_at_once,
    hook,
    pbx,
    pbx_account,
    recording_callback,
    twilio,
    twilio_account,
    twilio_status,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# Fixtures shared with the call tests: the fake server, the webhook posters, tasks at once.
__all__ = ["_tasks_run_at_once", "hook", "pbx", "recordings_server_fixture", "twilio"]


def test_a_twilio_recording_is_downloaded_with_the_accounts_credentials_and_attached(
    twilio: Callable[..., Any], recordings_server: FakeRecordings
) -> None:
    account = twilio_account(api_base=recordings_server.base_url)
    recordings_server.files[recordings_server.twilio_path("RE7")] = mp3_bytes()
    twilio(account, twilio_status("completed", CallDuration="192"))

    twilio(account, recording_callback(recordings_server.twilio_url("RE7")))

    (request,) = recordings_server.requests
    assert request.method == "GET" and request.path.endswith("/Recordings/RE7.mp3")
    assert request.headers["authorization"].startswith("Basic ")
    call = Call.objects.select_related("recording").get()
    attachment = call.recording
    assert attachment is not None
    assert attachment.content_type == "audio/mpeg"
    assert attachment.filename == f"call-{CALL_SID}.mp3"
    assert attachment.message_id == call.message_id
    assert attachment.file.read() == mp3_bytes()


def test_a_pbx_recording_on_the_hangup_is_attached(
    pbx: Callable[..., Any], recordings_server: FakeRecordings
) -> None:
    account = pbx_account()
    recordings_server.files["/recordings/42.wav"] = wav_bytes()

    pbx(
        account,
        event="hangup",
        duration=12,
        recording_url=f"{recordings_server.base_url}/recordings/42.wav",
    )

    (request,) = recordings_server.requests
    assert "authorization" not in request.headers  # no Twilio credentials to a PBX
    attachment = Attachment.objects.get()
    assert attachment.content_type == "audio/wav"
    assert attachment.message_id == Call.objects.get().message_id


def test_a_recording_of_more_than_100_mb_is_refused_with_the_reason_and_kept_at_its_url(
    pbx: Callable[..., Any], recordings_server: FakeRecordings, settings: Any
) -> None:
    settings.ATIENDE_MAX_ATTACHMENT_BYTES = 200 * 1024 * 1024  # the recording cap decides
    account = pbx_account()
    recordings_server.huge["/recordings/big.wav"] = 150 * 1024 * 1024
    url = f"{recordings_server.base_url}/recordings/big.wav"

    pbx(account, event="hangup", duration=9000, recording_url=url)

    assert not Attachment.objects.exists()
    call = Call.objects.get()
    assert call.recording_url == url and "larger than 100 MB (150 MB)" in call.recording_note
    notes = list(Message.objects.order_by("pk").values_list("body_text", flat=True))
    assert len(notes) == 2  # the call log, then why its recording is missing
    assert "recording was not attached" in notes[1] and url in notes[1]
    # Refused on the announced length: far less than the file was ever sent.
    assert recordings_server.streamed_to("/recordings/big.wav") < 50 * 1024 * 1024
    assert Effect.objects.get(kind="channels.call_recording").state == EffectState.DELIVERED


def test_a_recording_that_grows_past_the_limit_without_a_length_is_cut_off(
    pbx: Callable[..., Any], recordings_server: FakeRecordings, settings: Any
) -> None:
    settings.ATIENDE_MAX_ATTACHMENT_BYTES = 256 * 1024
    account = pbx_account()
    recordings_server.unsized["/recordings/long.wav"] = 2 * 1024 * 1024

    pbx(
        account,
        event="hangup",
        duration=60,
        recording_url=f"{recordings_server.base_url}/recordings/long.wav",
    )

    assert not Attachment.objects.exists()
    assert "larger than" in Call.objects.get().recording_note


def test_a_recording_that_is_not_audio_is_not_attached(
    pbx: Callable[..., Any], recordings_server: FakeRecordings
) -> None:
    account = pbx_account()
    recordings_server.files["/recordings/login"] = b"<html><body>Sign in</body></html>"

    pbx(
        account,
        event="hangup",
        duration=5,
        recording_url=f"{recordings_server.base_url}/recordings/login",
    )

    assert not Attachment.objects.exists()
    assert "did not send audio (it sent text/html)" in Call.objects.get().recording_note


def test_a_recording_server_that_fails_is_retried_later_and_nothing_is_lost(
    pbx: Callable[..., Any], recordings_server: FakeRecordings
) -> None:
    account = pbx_account()
    recordings_server.files["/recordings/7.wav"] = wav_bytes()
    recordings_server.answer_next(503, b"busy")

    pbx(
        account,
        event="hangup",
        duration=5,
        recording_url=f"{recordings_server.base_url}/recordings/7.wav",
    )

    effect = Effect.objects.get(kind="channels.call_recording")
    assert effect.state == EffectState.PENDING and "503" in effect.last_error
    assert not Attachment.objects.exists() and not Call.objects.get().recording_note

    delivery.deliver_due(now=timezone.now() + timedelta(minutes=5))

    assert Attachment.objects.get().message_id == Call.objects.get().message_id


def test_twilio_credentials_never_go_to_another_host(
    twilio: Callable[..., Any], recordings_server: FakeRecordings
) -> None:
    account = twilio_account()  # its API is api.twilio.com, not the fake
    recordings_server.files["/recordings/x.mp3"] = mp3_bytes()
    twilio(account, twilio_status("completed", CallDuration="3"))

    twilio(account, recording_callback(f"{recordings_server.base_url}/recordings/x.mp3"))

    (request,) = recordings_server.requests
    assert "authorization" not in request.headers

"""The phone readers: Twilio voice callbacks and our PBX JSON in, ``CallEvent`` s out;
anything else a ``PayloadError`` naming the field, or a ``SignatureError``.

Pure: no database, no network.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from atiende.messaging.channels.contract import (
    AccountConfig,
    CallEvent,
    CallState,
    Incoming,
    PayloadError,
    Receiver,
    SignatureError,
)
from atiende.messaging.channels.providers.phone import GenericPbx, TwilioVoice, normalise_number
from atiende.messaging.channels.providers.twilio_signature import (
    signature_matches,
    twilio_signature,
    url_variants,
)
from tests.messaging.channels.strategies import JSON, PROPERTY, outcome

AUTH_TOKEN = "12345"
TWILIO = AccountConfig(
    provider="twilio_voice",
    settings={"account_sid": "AC" + "0" * 32},
    secrets={"auth_token": AUTH_TOKEN},
    api_base="",
)
PBX_TOKEN = "pbx-token"
PBX = AccountConfig(provider="generic_pbx", settings={}, secrets={"token": PBX_TOKEN}, api_base="")
CALLBACK = "https://desk.example.test/hooks/phone/3/status"
FORM = "application/x-www-form-urlencoded"
CALL_SID = "CA" + "a" * 32


def twilio_request(
    fields: dict[str, str], *, url: str = CALLBACK, signature: str | None = None
) -> Incoming:
    body = urlencode(fields).encode()
    if signature is None:
        signature = twilio_signature(AUTH_TOKEN, url, fields)
    return Incoming(
        method="POST",
        url=url,
        headers={"content-type": FORM, "x-twilio-signature": signature},
        body=body,
    )


def calls(receiver: Receiver, config: AccountConfig, incoming: Incoming) -> list[CallEvent]:
    events = receiver.read(config, incoming)
    assert all(isinstance(event, CallEvent) for event in events)
    return [event for event in events if isinstance(event, CallEvent)]


def status(call_status: str, **extra: str) -> dict[str, str]:
    """A Twilio voice status callback, with the parameters Twilio documents."""
    return {
        "AccountSid": "AC" + "0" * 32,
        "ApiVersion": "2010-04-01",
        "CallSid": CALL_SID,
        "CallStatus": call_status,
        "Called": "+14155550100",
        "Caller": "+34 600 12 34 56",
        "Direction": "inbound",
        "From": "+34 600 12 34 56",
        "To": "+14155550100",
        "CallbackSource": "call-progress-events",
        "SequenceNumber": "0",
        "Timestamp": "Fri, 06 Feb 2026 10:02:11 +0000",
        **extra,
    }


# --- the signature ---------------------------------------------------------------------------


def test_url_variants_add_or_drop_the_port() -> None:
    assert url_variants("https://a.test/x?y=1") == (
        "https://a.test/x?y=1",
        "https://a.test:443/x?y=1",
    )
    assert url_variants("https://a.test:443/x") == ("https://a.test:443/x", "https://a.test/x")
    assert url_variants("http://u:p@a.test:8080/x") == (
        "http://u:p@a.test:8080/x",
        "http://u:p@a.test/x",
    )
    assert url_variants("ftp://a.test/x") == ("ftp://a.test/x",)
    assert url_variants("https://a.test:99999/x") == ("https://a.test:99999/x",)


def test_signature_matches_with_the_port_a_proxy_added() -> None:
    fields = status("ringing")
    signature = twilio_signature(AUTH_TOKEN, CALLBACK, fields)
    with_port = CALLBACK.replace(".test/", ".test:443/")
    assert signature_matches(AUTH_TOKEN, with_port, fields, signature)
    TwilioVoice().verify(TWILIO, twilio_request(fields, url=with_port, signature=signature))


def test_twilio_good_signature() -> None:
    TwilioVoice().verify(TWILIO, twilio_request(status("ringing")))


def test_twilio_get_callbacks_sign_the_url_alone() -> None:
    query = urlencode(status("completed", CallDuration="5"))
    url = f"{CALLBACK}?{query}"
    incoming = Incoming(
        method="GET",
        url=url,
        headers={"x-twilio-signature": twilio_signature(AUTH_TOKEN, url, {})},
        body=b"",
        query=dict(status("completed", CallDuration="5")),
    )
    TwilioVoice().verify(TWILIO, incoming)
    (event,) = calls(TwilioVoice(), TWILIO, incoming)
    assert event.state is CallState.ENDED
    assert event.duration == 5


@pytest.mark.parametrize(
    "signature",
    [
        "",  # missing
        twilio_signature("wrong", CALLBACK, status("ringing")),
        twilio_signature(AUTH_TOKEN, CALLBACK + "?x=1", status("ringing")),
        twilio_signature(AUTH_TOKEN, CALLBACK, status("completed")),
        "not base64 at all ☎",  # malformed
        "sha256=abc",
    ],
)
def test_twilio_bad_signatures(signature: str) -> None:
    incoming = twilio_request(status("ringing"), signature=signature)
    with pytest.raises(SignatureError):
        TwilioVoice().verify(TWILIO, incoming)


def test_twilio_without_auth_token_accepts_nothing() -> None:
    config = AccountConfig(provider="twilio_voice", settings={}, secrets={}, api_base="")
    with pytest.raises(SignatureError):
        TwilioVoice().verify(config, twilio_request(status("ringing")))


def test_twilio_unsignable_body_is_a_signature_error() -> None:
    incoming = Incoming(
        method="POST",
        url=CALLBACK,
        headers={"content-type": FORM, "x-twilio-signature": "abc"},
        body=b"x" * (5 * 1024 * 1024),
    )
    with pytest.raises(SignatureError):
        TwilioVoice().verify(TWILIO, incoming)


# --- Twilio voice ----------------------------------------------------------------------------


def test_twilio_ringing() -> None:
    (event,) = calls(TwilioVoice(), TWILIO, twilio_request(status("ringing")))

    assert event.call_id == CALL_SID
    assert event.state is CallState.RINGING
    assert event.caller == "+34600123456"
    assert event.called == "+14155550100"
    assert event.direction == "inbound"
    assert event.duration == 0
    assert event.at == datetime(2026, 2, 6, 10, 2, 11, tzinfo=UTC)


def test_twilio_in_progress_is_answered() -> None:
    (event,) = calls(TwilioVoice(), TWILIO, twilio_request(status("in-progress")))
    assert event.state is CallState.ANSWERED
    assert event.duration == 0


def test_twilio_completed_ends_with_its_duration_and_recording() -> None:
    recording = "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE1"
    fields = status("completed", CallDuration="83", RecordingUrl=recording, RecordingSid="RE1")
    (event,) = calls(TwilioVoice(), TWILIO, twilio_request(fields))

    assert event.state is CallState.ENDED
    assert event.duration == 83
    assert event.recording_url == recording


@pytest.mark.parametrize("call_status", ["no-answer", "busy", "canceled", "failed"])
def test_twilio_unanswered_inbound_is_missed(call_status: str) -> None:
    (event,) = calls(TwilioVoice(), TWILIO, twilio_request(status(call_status)))
    assert event.state is CallState.MISSED


@pytest.mark.parametrize("direction", ["outbound-api", "outbound-dial"])
def test_twilio_unanswered_outbound_just_ends(direction: str) -> None:
    fields = status("no-answer", Direction=direction, CallDuration="0")
    (event,) = calls(TwilioVoice(), TWILIO, twilio_request(fields))
    assert event.state is CallState.ENDED
    assert event.direction == "outbound"
    assert event.duration == 0


@pytest.mark.parametrize("call_status", ["queued", "initiated"])
def test_twilio_calls_not_yet_ringing_say_nothing(call_status: str) -> None:
    assert TwilioVoice().read(TWILIO, twilio_request(status(call_status))) == []


def test_twilio_client_side_is_the_agent() -> None:
    fields = status("ringing", To="client:ana", Called="client:ana")
    (event,) = calls(TwilioVoice(), TWILIO, twilio_request(fields))
    assert event.agent == "ana"
    assert event.called == "client:ana"


def test_twilio_recording_callback_carries_the_recording() -> None:
    fields = {
        "AccountSid": "AC" + "0" * 32,
        "CallSid": CALL_SID,
        "RecordingSid": "RE" + "b" * 32,
        "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE" + "b" * 32,
        "RecordingStatus": "completed",
        "RecordingDuration": "81",
        "RecordingChannels": "1",
        "RecordingSource": "DialVerb",
    }
    (event,) = calls(TwilioVoice(), TWILIO, twilio_request(fields))

    assert event.call_id == CALL_SID
    assert event.state is CallState.RECORDED
    assert event.recording_url == fields["RecordingUrl"]
    assert event.duration == 0
    for not_ready in ("in-progress", "absent", "failed"):
        later = twilio_request({**fields, "RecordingStatus": not_ready})
        assert TwilioVoice().read(TWILIO, later) == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({**status("ringing"), "CallSid": ""}, "CallSid"),
        ({**status("ringing"), "CallSid": "C" * 300}, "CallSid"),
        (status("exploded"), "CallStatus"),
        ({k: v for k, v in status("ringing").items() if k != "CallStatus"}, "CallStatus"),
        (status("ringing", Direction="sideways"), "Direction"),
        (status("completed", CallDuration="12s"), "CallDuration"),
        (status("completed", CallDuration="-3"), "CallDuration"),
        (status("completed", CallDuration="9" * 40), "CallDuration"),
        (status("completed", RecordingUrl="javascript:alert(1)"), "RecordingUrl"),
        (status("ringing", Timestamp="not a date"), "Timestamp"),
        (status("ringing", From="+1" * 200), "From"),
        (
            {"CallSid": CALL_SID, "RecordingSid": "RE1", "RecordingStatus": "weird"},
            "RecordingStatus",
        ),
        ({"CallSid": CALL_SID, "RecordingStatus": "completed"}, "RecordingUrl"),
    ],
)
def test_twilio_refuses_the_wrong_shape(fields: dict[str, str], field: str) -> None:
    with pytest.raises(PayloadError) as caught:
        TwilioVoice().read(TWILIO, twilio_request(fields))
    assert caught.value.field == field


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe", b"x" * (5 * 1024 * 1024), b"%ZZ=%C3%28", b"a=%ff", b"&".join([b"a=1"] * 600)],
)
def test_twilio_hostile_bodies_are_payload_errors(body: bytes) -> None:
    incoming = Incoming(method="POST", url=CALLBACK, headers={"content-type": FORM}, body=body)
    with pytest.raises(PayloadError) as caught:
        TwilioVoice().read(TWILIO, incoming)
    assert caught.value.field


TWILIO_NAMES = [
    "CallSid", "CallStatus", "From", "To", "Direction", "CallDuration", "Timestamp",
    "RecordingUrl", "RecordingSid", "RecordingStatus",
]  # fmt: skip


@PROPERTY
@given(
    st.dictionaries(
        st.sampled_from(TWILIO_NAMES) | st.text(max_size=8),
        st.sampled_from(["ringing", "in-progress", "completed", "busy", "inbound", "outbound-api"])
        | st.text(max_size=30),
        max_size=10,
    )
    | st.builds(
        lambda extra: {**status("completed"), **extra},
        st.dictionaries(st.sampled_from(TWILIO_NAMES), st.text(max_size=30), max_size=4),
    ),
    st.booleans(),
)
def test_random_twilio_callbacks_never_raise_but_payload_error(
    fields: dict[str, str], as_get: bool
) -> None:
    if as_get:
        incoming = Incoming(method="GET", url=CALLBACK, headers={}, body=b"", query=fields)
    else:
        incoming = Incoming(
            method="POST",
            url=CALLBACK,
            headers={"content-type": FORM},
            body=urlencode(fields).encode(),
        )
    result = outcome(TwilioVoice(), TWILIO, incoming)
    if isinstance(result, PayloadError):
        assert result.field
    else:
        assert all(isinstance(event, CallEvent) for event in result)


# --- any PBX ---------------------------------------------------------------------------------


def pbx_request(
    body: dict[str, Any] | bytes, *, content_type: str = "application/json", auth: bool = True
) -> Incoming:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"content-type": content_type}
    if auth:
        headers["authorization"] = f"Bearer {PBX_TOKEN}"
    return Incoming(
        method="POST", url="https://desk.example.test/hooks/phone/4/", headers=headers, body=raw
    )


PBX_RINGING = {
    "call_id": "1770372131.42",
    "event": "ringing",
    "caller": "0034 (600) 12-34-56",
    "called": "+34 910 000 000",
    "direction": "inbound",
    "timestamp": "2026-02-06T10:02:11+01:00",
}


def test_pbx_ringing_answered_hangup() -> None:
    (ringing,) = calls(GenericPbx(), PBX, pbx_request(PBX_RINGING))
    answered_body = {**PBX_RINGING, "event": "answered", "agent": "201", "timestamp": 1770372140}
    (answered,) = calls(GenericPbx(), PBX, pbx_request(answered_body))
    hangup_body = {
        **PBX_RINGING,
        "event": "hangup",
        "agent": 201,
        "duration": "95",
        "recording_url": "https://pbx.example.test/recordings/1770372131.42.wav",
    }
    (hangup,) = calls(GenericPbx(), PBX, pbx_request(hangup_body))

    assert ringing.call_id == answered.call_id == hangup.call_id == "1770372131.42"
    assert ringing.state is CallState.RINGING
    assert ringing.caller == "+34600123456"
    assert ringing.called == "+34910000000"
    assert ringing.at is not None
    assert ringing.at.utcoffset() is not None
    assert answered.state is CallState.ANSWERED
    assert answered.agent == "201"
    assert answered.at == datetime.fromtimestamp(1770372140, tz=UTC)
    assert hangup.state is CallState.ENDED
    assert hangup.duration == 95
    assert hangup.agent == "201"
    assert hangup.recording_url.endswith(".wav")


def test_pbx_missed_from_a_dialplan_form() -> None:
    form = urlencode({"call_id": "abc-uuid", "event": "missed", "caller": "600123456"})
    (event,) = calls(GenericPbx(), PBX, pbx_request(form.encode(), content_type=FORM))

    assert event.state is CallState.MISSED
    assert event.caller == "600123456"  # national: no country guessed
    assert event.direction == "inbound"


def test_pbx_outbound() -> None:
    body = {**PBX_RINGING, "direction": "outbound", "event": "hangup", "duration": 0}
    (event,) = calls(GenericPbx(), PBX, pbx_request(body))
    assert event.direction == "outbound"
    assert event.state is CallState.ENDED


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"call_id": None}, "call_id"),
        ({"call_id": "x" * 10_000}, "call_id"),
        ({"call_id": {"id": 1}}, "call_id"),
        ({"event": "exploded"}, "event"),
        ({"event": ""}, "event"),
        ({"direction": "up"}, "direction"),
        ({"duration": -1}, "duration"),
        ({"duration": 1.5}, "duration"),
        ({"duration": "long"}, "duration"),
        ({"duration": 10**9}, "duration"),
        ({"duration": True}, "duration"),
        ({"recording_url": "file:///var/spool/asterisk/monitor/x.wav"}, "recording_url"),
        ({"timestamp": "today"}, "timestamp"),
        ({"timestamp": [2026]}, "timestamp"),
        ({"caller": ["+34600123456"]}, "caller"),
        ({"agent": "a" * 300}, "agent"),
    ],
)
def test_pbx_refuses_the_wrong_shape(change: dict[str, Any], field: str) -> None:
    with pytest.raises(PayloadError) as caught:
        GenericPbx().read(PBX, pbx_request({**PBX_RINGING, **change}))
    assert caught.value.field == field


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[1]", b"\xff", b"[" * 100_000, b"{" + b" " * (5 * 1024 * 1024) + b"}"],
)
def test_pbx_hostile_bodies_are_payload_errors(body: bytes) -> None:
    with pytest.raises(PayloadError) as caught:
        GenericPbx().read(PBX, pbx_request(body))
    assert caught.value.field


def test_pbx_verify_like_the_alerts() -> None:
    GenericPbx().verify(PBX, pbx_request(PBX_RINGING))
    raw = json.dumps(PBX_RINGING).encode()
    signature = "sha256=" + hmac.new(PBX_TOKEN.encode(), raw, hashlib.sha256).hexdigest()
    signed = Incoming(
        method="POST",
        url="https://desk.example.test/",
        headers={"x-atiende-signature": signature},
        body=raw,
    )
    GenericPbx().verify(PBX, signed)
    for headers in ({}, {"authorization": "Bearer nope"}, {"x-atiende-signature": "sha256=00"}):
        with pytest.raises(SignatureError):
            GenericPbx().verify(PBX, Incoming(method="POST", url="", headers=headers, body=raw))


PBX_NAMES = [
    "call_id", "event", "caller", "called", "agent", "direction", "duration", "recording_url",
    "timestamp",
]  # fmt: skip


@PROPERTY
@given(
    JSON
    | st.dictionaries(st.sampled_from(PBX_NAMES) | st.text(max_size=8), JSON, max_size=9)
    | st.fixed_dictionaries({name: st.just(PBX_RINGING.get(name, "")) | JSON for name in PBX_NAMES})
)
def test_random_json_pbx_never_raises_but_payload_error(value: Any) -> None:
    result = outcome(GenericPbx(), PBX, pbx_request(json.dumps(value).encode()))
    if isinstance(result, PayloadError):
        assert result.field
    else:
        assert all(isinstance(event, CallEvent) for event in result)


# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("+34 600 12 34 56", "+34600123456"),
        ("+1 (415) 555-0100", "+14155550100"),
        ("0034 600-123-456", "+34600123456"),
        ("0044.20.7946.0000", "+442079460000"),
        ("600 123 456", "600123456"),
        ("  +14155550100 ", "+14155550100"),
        ("client:ana", "client:ana"),
        ("sip:201@pbx.example.test", "sip:201@pbx.example.test"),
        ("anonymous", "anonymous"),
        ("Restricted", "Restricted"),
        ("", ""),
        ("+1234567890123456789", "+1234567890123456789"),  # too long for E.164: as it came
        ("12", "12"),
    ],
)
def test_normalise_number(raw: str, normalised: str) -> None:
    assert normalise_number(raw) == normalised


def test_receivers_say_their_channel() -> None:
    assert (TwilioVoice.channel, GenericPbx.channel) == ("phone", "phone")
    assert (TwilioVoice.provider, GenericPbx.provider) == ("twilio_voice", "generic_pbx")

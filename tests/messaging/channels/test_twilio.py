"""The Twilio SMS adapter against documented webhooks and a fake Messages API on loopback."""

from __future__ import annotations

import base64
import contextlib
import json
from dataclasses import replace
from datetime import UTC, datetime

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atiende.messaging.channels.contract import (
    Adapter,
    DeliveryState,
    DeliveryUpdate,
    InboundMessage,
    Media,
    MessageRejected,
    OutboundMessage,
    PayloadError,
    ProviderResponse,
    SignatureError,
)
from atiende.messaging.channels.providers.twilio import TwilioSms
from atiende.messaging.channels.providers.twilio_signature import (
    signature_matches,
    twilio_signature,
)
from tests.messaging.channels.fake_http import deliver
from tests.messaging.channels.fake_twilio import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    CUSTOMER,
    OUR_NUMBER,
    SERVICE_SID,
    FakeTwilio,
    inbound_mms,
    inbound_sms,
    message_sid,
    status_callback,
    twilio_config,
    twilio_error_body,
    webhook,
)

SMS = TwilioSms()
CONFIG = twilio_config()
NOW = datetime(2026, 1, 15, 10, 30, tzinfo=UTC)


def read(incoming_params: dict[str, str]) -> list[object]:
    incoming = replace(webhook(incoming_params), received_at=NOW)
    SMS.verify(CONFIG, incoming)
    return list(SMS.read(CONFIG, incoming))


def test_it_is_an_adapter() -> None:
    adapter: Adapter = SMS
    assert (adapter.provider, adapter.channel) == ("twilio_sms", "sms")


# -- the signature --------------------------------------------------------------------------


def test_twilios_published_example() -> None:
    """The worked example of Twilio's "Webhooks security" page."""
    params = [
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+12349013030"),
        ("Digits", "1234"),
        ("From", "+12349013030"),
        ("To", "+18005551212"),
    ]
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert signature_matches("12345", url, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    assert twilio_signature("12345", url, params) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    assert twilio_signature("12345", url, dict(reversed(params))) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    config = replace(CONFIG, secrets={"auth_token": "12345"})
    SMS.verify(config, webhook(list(reversed(params)), url=url, auth_token="12345"))


@pytest.mark.parametrize(
    "body", ["Hola, ¿cómo están? 😀", "Hola, como estan?", "ñ + & = %20 \n línea"]
)
def test_a_good_signature_verifies(body: str) -> None:
    SMS.verify(CONFIG, webhook(inbound_sms(body)))


def test_the_default_port_may_be_present_or_not() -> None:
    """Twilio's SDK validators accept both; Twilio's signer is inconsistent about it."""
    plain = "https://helpdesk.example/hooks/twilio/3/?channel=sms"
    with_port = "https://helpdesk.example:443/hooks/twilio/3/?channel=sms"
    SMS.verify(CONFIG, webhook(inbound_sms(), url=plain, signed_url=with_port))
    SMS.verify(CONFIG, webhook(inbound_sms(), url=with_port, signed_url=plain))


def test_a_missing_signature_is_refused() -> None:
    with pytest.raises(SignatureError):
        SMS.verify(CONFIG, webhook(inbound_sms(), sign=False))


def test_another_auth_token_is_refused() -> None:
    with pytest.raises(SignatureError):
        SMS.verify(CONFIG, webhook(inbound_sms(), auth_token="0" * 32))


@pytest.mark.parametrize(
    "signed_url",
    [
        "https://helpdesk.example/hooks/twilio/3/?channel=whatsapp",
        "https://helpdesk.example/hooks/twilio/3/",
        "https://helpdesk.example/hooks/twilio/3/?channel=sms&x=1",
        "http://helpdesk.example/hooks/twilio/3/?channel=sms",
        "https://helpdesk.example/hooks/twilio/4/?channel=sms",
        "https://helpdesk.example:8443/hooks/twilio/3/?channel=sms",
    ],
)
def test_twilio_signs_the_exact_url(signed_url: str) -> None:
    with pytest.raises(SignatureError):
        SMS.verify(CONFIG, webhook(inbound_sms(), signed_url=signed_url))


def test_an_altered_parameter_is_refused() -> None:
    params = inbound_sms("Hola")
    incoming = webhook(params)
    altered = replace(incoming, body=incoming.body.replace(b"Body=Hola", b"Body=Adios"))
    assert altered.body != incoming.body
    with pytest.raises(SignatureError):
        SMS.verify(CONFIG, altered)
    added = replace(incoming, body=incoming.body + b"&Extra=1")
    with pytest.raises(SignatureError):
        SMS.verify(CONFIG, added)


def test_a_garbled_signature_header_is_refused() -> None:
    for bad in ("ñ" * 28, "not base64", "0/KCTR6DLpKmkAf8muzZqo1nDgQ="):
        with pytest.raises(SignatureError):
            SMS.verify(CONFIG, webhook(inbound_sms(), signature=bad))


# -- read: incoming SMS and MMS -------------------------------------------------------------


@pytest.mark.parametrize(
    "body", ["Buenos días, no me llegó la factura 😟", "Buenos dias, no me llego la factura", ""]
)
def test_an_incoming_sms(body: str) -> None:
    params = inbound_sms(body)
    [event] = read(params)
    assert isinstance(event, InboundMessage)
    assert event.provider_id == params["MessageSid"]
    assert event.sender.channel == "sms"
    assert event.sender.address == CUSTOMER
    assert event.text == body
    assert event.media == ()
    assert event.sent_at == NOW


def test_an_mms_with_two_media() -> None:
    params = inbound_mms(
        "Fotos del equipo dañado",
        [("image/jpeg", "ME" + "1" * 32), ("application/pdf", "ME" + "2" * 32)],
    )
    [event] = read(params)
    assert isinstance(event, InboundMessage)
    assert event.text == "Fotos del equipo dañado"
    assert event.media == (
        Media(params["MediaUrl0"], "image/jpeg"),
        Media(params["MediaUrl1"], "application/pdf"),
    )
    assert event.provider_id.startswith("MM")


# -- read: status callbacks -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("queued", DeliveryState.QUEUED),
        ("sending", DeliveryState.QUEUED),
        ("sent", DeliveryState.SENT),
        ("delivered", DeliveryState.DELIVERED),
        ("read", DeliveryState.READ),
        ("undelivered", DeliveryState.FAILED),
        ("failed", DeliveryState.FAILED),
    ],
)
def test_status_callbacks(status: str, state: DeliveryState) -> None:
    sid = message_sid()
    [event] = read(status_callback(sid, status))
    reason = status if state is DeliveryState.FAILED else ""  # no ErrorCode: the status says it
    assert event == DeliveryUpdate(provider_id=sid, state=state, at=NOW, reason=reason)


def test_a_failed_callback_says_why() -> None:
    sid = message_sid()
    [event] = read(status_callback(sid, "undelivered", ErrorCode=30007))
    assert isinstance(event, DeliveryUpdate)
    assert event.state is DeliveryState.FAILED
    assert event.reason == "30007 Message filtered"
    [event] = read(status_callback(sid, "failed", ErrorCode=30008, ErrorMessage="Unknown error."))
    assert isinstance(event, DeliveryUpdate)
    assert event.reason == "30008 Unknown error."


# -- read: what Twilio does not send --------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({**inbound_sms(), "MessageSid": "", "SmsSid": ""}, "MessageSid"),
        ({k: v for k, v in inbound_sms().items() if k != "From"}, "From"),
        ({**inbound_sms(), "NumMedia": "dos"}, "NumMedia"),
        ({**inbound_sms(), "NumMedia": "-1"}, "NumMedia"),
        ({**inbound_sms(), "NumMedia": "11"}, "NumMedia"),
        ({**inbound_sms(), "NumMedia": "１"}, "NumMedia"),  # a full-width digit
        ({**inbound_sms(), "NumMedia": "1"}, "MediaUrl0"),
        ({**inbound_sms(), "NumMedia": "1", "MediaUrl0": "file:///etc/passwd"}, "MediaUrl0"),
        (status_callback(message_sid(), "teleported"), "MessageStatus"),
        ({**status_callback("", "delivered"), "SmsSid": ""}, "MessageSid"),
    ],
)
def test_payloads_twilio_does_not_send_are_payload_errors(
    params: dict[str, str], field: str
) -> None:
    with pytest.raises(PayloadError) as raised:
        SMS.read(CONFIG, webhook(params))
    assert raised.value.field == field


@pytest.mark.parametrize(
    ("body", "content_type", "field"),
    [
        (b"\xff\xfe garbage", "application/x-www-form-urlencoded", "body"),
        (b"Body=%FF%FE", "application/x-www-form-urlencoded", "body"),
        (b"a=1&" * 2000, "application/x-www-form-urlencoded", "body"),
        (b"x" * (5 * 1024 * 1024), "application/x-www-form-urlencoded", "body"),
        (b'{"MessageSid": "SM1"}', "application/json", "content-type"),
        (b"From=%2B1&From=%2B2&MessageSid=SM1", "application/x-www-form-urlencoded", "From"),
        (b"", "application/x-www-form-urlencoded", "MessageSid"),
    ],
)
def test_bodies_that_are_not_twilios_form_are_payload_errors(
    body: bytes, content_type: str, field: str
) -> None:
    incoming = replace(webhook({}), body=body, headers={"content-type": content_type})
    with pytest.raises(PayloadError) as raised:
        SMS.read(CONFIG, incoming)
    assert raised.value.field == field


NAMES = st.sampled_from(
    ["MessageSid", "SmsSid", "From", "To", "Body", "NumMedia", "MediaUrl0", "MediaUrl1",
     "MediaContentType0", "MessageStatus", "ErrorCode", "ErrorMessage", "SmsStatus"]
)  # fmt: skip
VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["0", "1", "2", "10", "delivered", "failed", "received", "https://x/y"]),
)


@settings(max_examples=300, deadline=None)
@given(
    pairs=st.lists(st.tuples(st.one_of(NAMES, st.text(max_size=10)), VALUES), max_size=12),
    raw=st.binary(max_size=80),
    use_raw=st.booleans(),
)
def test_random_form_data_raises_nothing_but_payload_errors(
    pairs: list[tuple[str, str]], raw: bytes, use_raw: bool
) -> None:
    incoming = webhook(pairs)
    if use_raw:
        incoming = replace(incoming, body=raw)
    with contextlib.suppress(SignatureError):
        SMS.verify(CONFIG, incoming)
    try:
        events = SMS.read(CONFIG, incoming)
    except PayloadError:
        return
    assert len(events) == 1
    assert isinstance(events[0], InboundMessage | DeliveryUpdate)


# -- send_request, sent to the fake Messages API --------------------------------------------


def test_an_sms_is_a_form_post_with_basic_auth(twilio_api: FakeTwilio) -> None:
    config = twilio_config(twilio_api.base_url, status_callback_url="https://helpdesk.example/s/")
    outbound = OutboundMessage(to=CUSTOMER, text="¡Hola! Tu caso #123 quedó resuelto ✅")
    result = SMS.send_result(deliver(SMS.send_request(config, outbound)))
    assert result.ok
    assert result.provider_id.startswith("SM")
    [request] = twilio_api.requests
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    credentials = base64.b64decode(request.headers["authorization"].removeprefix("Basic "))
    assert credentials == f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()
    assert request.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert request.form == {
        "To": [CUSTOMER],
        "From": [OUR_NUMBER],
        "Body": ["¡Hola! Tu caso #123 quedó resuelto ✅"],
        "StatusCallback": ["https://helpdesk.example/s/"],
    }


def test_an_mms_through_a_messaging_service(twilio_api: FakeTwilio) -> None:
    config = twilio_config(twilio_api.base_url, messaging_service_sid=SERVICE_SID)
    media = (Media("https://h.example/a.jpg?sig=1", "image/jpeg"), Media("https://h.example/b.pdf"))
    outbound = OutboundMessage(to=CUSTOMER, media=media)
    result = SMS.send_result(deliver(SMS.send_request(config, outbound)))
    assert result.ok
    assert result.provider_id.startswith("MM")
    [request] = twilio_api.requests
    assert request.form == {
        "To": [CUSTOMER],
        "MessagingServiceSid": [SERVICE_SID],
        "MediaUrl": ["https://h.example/a.jpg?sig=1", "https://h.example/b.pdf"],
    }


@pytest.mark.parametrize(
    "outbound",
    [
        OutboundMessage(to=CUSTOMER, text="a" * 1601),
        OutboundMessage(to=CUSTOMER, text=""),
        OutboundMessage(to=CUSTOMER, media=tuple(Media(f"https://h/{n}") for n in range(11))),
    ],
)
def test_what_twilio_would_refuse_is_rejected(outbound: OutboundMessage) -> None:
    with pytest.raises(MessageRejected, match=r"\w"):
        SMS.send_request(CONFIG, outbound)


def test_1600_characters_with_accents_and_emoji_go() -> None:
    request = SMS.send_request(CONFIG, OutboundMessage(to=CUSTOMER, text="ñ😀" * 800))
    assert request.url == f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


def test_an_unsubscribed_number_is_not_retried(twilio_api: FakeTwilio) -> None:
    twilio_api.unsubscribed.add(CUSTOMER)
    config = twilio_config(twilio_api.base_url)
    result = SMS.send_result(deliver(SMS.send_request(config, OutboundMessage(CUSTOMER, "hola"))))
    assert (result.ok, result.retry) == (False, False)
    assert result.error.startswith("21610 Attempt to send to unsubscribed recipient")


def test_an_invalid_number_is_not_retried(twilio_api: FakeTwilio) -> None:
    config = twilio_config(twilio_api.base_url)
    result = SMS.send_result(deliver(SMS.send_request(config, OutboundMessage("5512345", "hola"))))
    assert (result.ok, result.retry) == (False, False)
    assert result.error.startswith("21211 ")


def test_rate_limits_and_server_errors_are_retried(twilio_api: FakeTwilio) -> None:
    twilio_api.answer_next(429, twilio_error_body(429, 20429, "Too Many Requests"))
    twilio_api.answer_next(503, b"Service Unavailable")
    config = twilio_config(twilio_api.base_url)
    request = SMS.send_request(config, OutboundMessage(CUSTOMER, "hola"))
    first = SMS.send_result(deliver(request))
    second = SMS.send_result(deliver(request))
    third = SMS.send_result(deliver(request))
    assert (first.retry, first.error.split()[0]) == (True, "20429")
    assert first.retry_after == 0  # no Retry-After header: the delivery's own backoff
    assert (second.retry, second.error) == (True, "HTTP 503")
    assert third.ok
    assert len(twilio_api.requests) == 3


def test_a_wrong_auth_token_is_not_retried(twilio_api: FakeTwilio) -> None:
    config = replace(twilio_config(twilio_api.base_url), secrets={"auth_token": "nope"})
    result = SMS.send_result(deliver(SMS.send_request(config, OutboundMessage(CUSTOMER, "hola"))))
    assert (result.ok, result.retry) == (False, False)
    assert result.error.startswith("20003 Authenticate")


def test_a_hanging_api_times_out(twilio_api: FakeTwilio) -> None:
    twilio_api.hang_next(10)
    request = SMS.send_request(twilio_config(twilio_api.base_url), OutboundMessage(CUSTOMER, "x"))
    with pytest.raises(httpx.TimeoutException):
        deliver(request, timeout=0.3)


@pytest.mark.parametrize(
    ("status", "body", "ok", "retry"),
    [
        (201, {"sid": "SM" + "a" * 32, "status": "queued"}, True, False),
        (201, {"status": "queued"}, False, False),
        (400, twilio_error_body(400, 21211, "Invalid 'To' Phone Number"), False, False),
        (403, twilio_error_body(403, 20403, "Forbidden"), False, False),
        (429, twilio_error_body(429, 20429, "Too Many Requests"), False, True),
        (500, twilio_error_body(500, 20500, "Internal Server Error"), False, True),
        (502, b"<html>Bad Gateway</html>", False, True),
    ],
)
def test_send_result(status: int, body: object, ok: bool, retry: bool) -> None:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    result = SMS.send_result(ProviderResponse(status, {}, raw))
    assert (result.ok, result.retry) == (ok, retry)
    assert bool(result.error) is not ok


def test_a_429_says_how_long_to_wait(twilio_api: FakeTwilio) -> None:
    body = twilio_error_body(429, 20429, "Too Many Requests")
    twilio_api.answer_next(429, body, headers={"Retry-After": "12"})
    request = SMS.send_request(twilio_config(twilio_api.base_url), OutboundMessage(CUSTOMER, "x"))
    result = SMS.send_result(deliver(request))
    assert (result.retry, result.retry_after) == (True, 12)


def test_split_sends_more_than_ten_media_in_several_messages() -> None:
    media = tuple(Media(f"https://h.example/{n}.jpg", "image/jpeg") for n in range(12))
    message = OutboundMessage(to=CUSTOMER, text="Fotos", media=media)
    parts = SMS.split(message)
    assert [(part.text, len(part.media)) for part in parts] == [("Fotos", 10), ("", 2)]
    for part in parts:
        SMS.send_request(CONFIG, part)
    plain = OutboundMessage(to=CUSTOMER, text="a" * 1601)
    assert SMS.split(plain) == [plain]  # refused by send_request, never cut

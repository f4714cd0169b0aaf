"""The shared readers and limits (``providers.payload``), and the contract every adapter keeps."""

from __future__ import annotations

import json

import pytest

from atiende.messaging.channels.contract import (
    AccountConfig,
    Adapter,
    Incoming,
    MessageRejected,
    OutboundMessage,
    PayloadError,
    ProviderResponse,
    Receiver,
)
from atiende.messaging.channels.providers import (
    alerts,
    meta,
    phone,
    receiving,
    telegram,
    twilio,
    whatsapp,
)
from atiende.messaging.channels.providers.payload import (
    MAX_BODY_BYTES,
    MAX_DEPTH,
    MAX_KEY_LENGTH,
    form_fields,
    form_pairs,
    load_json,
    load_object,
    retry_after,
)

ADAPTERS: list[Adapter] = [
    whatsapp.WhatsAppCloud(),
    meta.Messenger(),
    meta.Instagram(),
    telegram.TelegramBot(),
    twilio.TwilioSms(),
]
# Every setting and secret any of them needs, so that only the message is wrong.
ACCOUNT = AccountConfig(
    provider="any",
    settings={"phone_number_id": "1", "account_sid": "AC1", "from_number": "+15550000000"},
    secrets={"access_token": "t", "bot_token": "1:x", "auth_token": "t", "token": "t"},
    api_base="https://api.example.test",
)
RECEIVERS: list[Receiver] = [
    *ADAPTERS,
    alerts.Alertmanager(),
    alerts.Zabbix(),
    alerts.Nagios(),
    alerts.GenericAlert(),
    phone.TwilioVoice(),
    phone.GenericPbx(),
]


def nested(depth: int) -> bytes:
    return b"[" * (depth - 1) + b"{}" + b"]" * (depth - 1)


def test_json_as_deep_as_the_limit_is_read() -> None:
    assert load_json(nested(MAX_DEPTH))


@pytest.mark.parametrize(
    "body",
    [
        nested(MAX_DEPTH + 1),
        json.dumps({"k" * (MAX_KEY_LENGTH + 1): 1}).encode(),
        b" " * (MAX_BODY_BYTES + 1),
        b'{"a": NaN}',
        b"\xff",
    ],
    ids=["deep", "long key", "large", "NaN", "not UTF-8"],
)
def test_bodies_outside_the_limits_are_payload_errors(body: bytes) -> None:
    with pytest.raises(PayloadError) as caught:
        load_json(body)
    assert caught.value.field == "body"


@pytest.mark.parametrize(
    "receiver",
    [receiver for receiver in RECEIVERS if not receiver.provider.startswith("twilio")],
    ids=lambda receiver: receiver.provider,
)
def test_every_json_reader_keeps_the_same_limits(receiver: Receiver) -> None:
    too_deep = {"object": "page", "entry": json.loads(nested(MAX_DEPTH))}
    incoming = Incoming(
        method="POST",
        url="https://desk.example.test/hooks/1/",
        headers={"content-type": "application/json"},
        body=json.dumps(too_deep).encode(),
    )
    with pytest.raises(PayloadError) as caught:
        receiver.read(ACCOUNT, incoming)
    assert caught.value.field == "body"


def test_a_non_object_is_named_where_it_is() -> None:
    with pytest.raises(PayloadError) as caught:
        load_object(b"[]", "update")
    assert caught.value.field == "update"


def test_form_fields_take_the_first_or_refuse_a_conflict() -> None:
    pairs = form_pairs(b"a=1&a=2&b=3")
    assert form_fields(pairs) == {"a": "1", "b": "3"}
    assert form_fields([("a", "1"), ("a", "1")], conflicts=False) == {"a": "1"}
    with pytest.raises(PayloadError) as caught:
        form_fields(pairs, conflicts=False)
    assert caught.value.field == "a"


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({}, 0),
        ({"Retry-After": "120"}, 120),
        ({"retry-after": " 5 "}, 5),
        ({"Retry-After": "99999999"}, 24 * 3600),
        (
            {
                "Retry-After": "Wed, 21 Oct 2026 07:28:30 GMT",
                "Date": "Wed, 21 Oct 2026 07:28:00 GMT",
            },
            30,
        ),
        ({"Retry-After": "Wed, 21 Oct 2026 07:28:30 GMT"}, 0),  # no Date to measure from
        ({"Retry-After": "soon"}, 0),
    ],
)
def test_retry_after(headers: dict[str, str], seconds: int) -> None:
    assert retry_after(ProviderResponse(429, headers, b"")) == seconds


def test_the_receivers_old_home_still_names_the_protocol() -> None:
    assert receiving.Receiver is Receiver


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda adapter: adapter.provider)
def test_every_adapter_splits_and_rejects_an_empty_message(adapter: Adapter) -> None:
    empty = OutboundMessage(to="1")
    assert adapter.split(empty) == [empty]
    assert issubclass(MessageRejected, ValueError)
    with pytest.raises(MessageRejected):
        adapter.send_request(ACCOUNT, empty)

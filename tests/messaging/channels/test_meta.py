"""The Messenger and Instagram adapters: signed webhooks in, Send API requests out."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atiende.messaging.channels.contract import (
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
from atiende.messaging.channels.providers.meta import Instagram, Messenger, handshake
from tests.messaging.channels.fake_graph import (
    IG_ID,
    PAGE_ID,
    VERIFY_TOKEN,
    FakeGraph,
    config,
    encode,
    sign,
    social_envelope,
    social_event,
    social_message,
    webhook,
)
from tests.messaging.channels.fake_http import deliver

MESSENGER = Messenger()
INSTAGRAM = Instagram()
FB = config("messenger")
IG = config("instagram")
PSID = "24850293784975"
EVENT = "entry[0].messaging[0]"


def read_fb(payload: dict[str, Any] | bytes) -> list[Any]:
    incoming = webhook(payload)
    MESSENGER.verify(FB, incoming)
    return MESSENGER.read(FB, incoming)


def read_ig(payload: dict[str, Any]) -> list[Any]:
    incoming = webhook(payload)
    INSTAGRAM.verify(IG, incoming)
    return INSTAGRAM.read(IG, incoming)


def one_fb(*events: dict[str, Any]) -> InboundMessage:
    [message] = read_fb(social_envelope(*events))
    assert isinstance(message, InboundMessage)
    return message


def test_the_adapters_name_their_channels() -> None:
    assert (MESSENGER.provider, MESSENGER.channel) == ("messenger", "social")
    assert (INSTAGRAM.provider, INSTAGRAM.channel) == ("instagram", "social")


# --- signature and handshake (shared with WhatsApp: graph.py) -------------------------------


@pytest.mark.parametrize("adapter", [MESSENGER, INSTAGRAM])
def test_signatures(adapter: Messenger | Instagram) -> None:
    body = encode(social_envelope(social_message("hola")))
    adapter.verify(FB, webhook(body))
    for header in ("", "sha1=" + "0" * 40, "sha256=" + "g" * 64, sign(body, "otro")):
        with pytest.raises(SignatureError):
            adapter.verify(FB, webhook(body, signature=header))
    with pytest.raises(SignatureError):
        adapter.verify(FB, webhook(body[:-2] + b" }", signature=sign(body)))


def test_the_handshake() -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42"}
    assert handshake(FB, query) == "42"
    assert INSTAGRAM.handshake(IG, query) == "42"
    with pytest.raises(SignatureError):
        handshake(FB, {**query, "hub.verify_token": "nope"})


# --- reading --------------------------------------------------------------------------------


def test_a_messenger_text_in_spanish_with_emoji() -> None:
    message = one_fb(
        social_message(
            "Hola, ¿me ayudan con la devolución? 😅",
            mid="m_1457764197618:41d102a3e1ae206a38",
            reply_to="m_1fTq8oLumEyIp3Q2MR-aY7IfLZDamVrALniheU",
            timestamp=1458692752478,
        )
    )
    assert message.provider_id == "m_1457764197618:41d102a3e1ae206a38"
    assert message.text == "Hola, ¿me ayudan con la devolución? 😅"
    assert (message.sender.channel, message.sender.address) == ("facebook", PSID)
    assert message.sent_at == datetime(2016, 3, 23, 0, 25, 52, 478000, tzinfo=UTC)
    assert message.reply_to == "m_1fTq8oLumEyIp3Q2MR-aY7IfLZDamVrALniheU"


def test_attachments_are_media_by_url() -> None:
    attachments = [
        {"type": "image", "payload": {"url": "https://scontent.xx.fbcdn.net/a.jpg"}},
        {"type": "file", "payload": {"url": "https://cdn.fbsbx.com/b.pdf"}},
        {"type": "audio", "payload": {"url": "https://cdn.fbsbx.com/c.mp4"}},
    ]
    message = one_fb(social_message("mirá", attachments=attachments))
    assert message.media == (
        Media("https://scontent.xx.fbcdn.net/a.jpg"),
        Media("https://cdn.fbsbx.com/b.pdf"),
        Media("https://cdn.fbsbx.com/c.mp4"),
    )
    assert message.text == "mirá"


def test_a_shared_link_and_an_empty_fallback_become_text() -> None:
    attachments: list[dict[str, Any]] = [
        {"type": "fallback", "payload": {"url": "https://atiende.test/x", "title": "Artículo"}},
        {"type": "fallback"},
    ]
    message = one_fb(social_message(attachments=attachments))
    assert message.media == ()
    assert "Artículo https://atiende.test/x" in message.text
    assert "fallback" in message.text


def test_echoes_of_our_own_sends_are_ignored() -> None:
    echo = social_message("Gracias por escribirnos", sender=PAGE_ID, recipient=PSID)
    echo["message"]["is_echo"] = True
    echo["message"]["app_id"] = 1517776481860111
    assert read_fb(social_envelope(echo)) == []


def test_deliveries_name_each_message() -> None:
    delivery = {"mids": ["m_a", "m_b"], "watermark": 1458668856253}
    updates = read_fb(social_envelope(social_event("delivery", delivery)))
    assert [(u.provider_id, u.state) for u in updates] == [
        ("m_a", DeliveryState.DELIVERED),
        ("m_b", DeliveryState.DELIVERED),
    ]
    assert updates[0].at == datetime(2016, 3, 22, 17, 47, 36, 253000, tzinfo=UTC)


def test_watermarks_alone_are_skipped() -> None:
    """They name no message; an empty provider_id could match any row (see meta.py)."""
    events = [
        social_event("delivery", {"watermark": 1458668856253}),
        social_event("read", {"watermark": 1458668856253}),
    ]
    assert read_fb(social_envelope(*events)) == []


def test_an_instagram_read_names_its_message() -> None:
    seen = social_event("read", {"mid": "aWdfZAG1faXRlbToxOklHTWVzc2FnZAU"}, recipient=IG_ID)
    [update] = read_ig(social_envelope(seen, kind="instagram"))
    assert isinstance(update, DeliveryUpdate)
    assert (update.provider_id, update.state) == (
        "aWdfZAG1faXRlbToxOklHTWVzc2FnZAU",
        DeliveryState.READ,
    )
    assert update.at == datetime(2018, 2, 12, 23, 46, 35, 308000, tzinfo=UTC)


def test_a_postback_becomes_the_title_tapped() -> None:
    postback = {"mid": "m_postback", "title": "Hablar con una persona", "payload": "HUMAN"}
    message = one_fb(social_event("postback", postback))
    assert (message.provider_id, message.text) == ("m_postback", "Hablar con una persona")


def test_a_postback_without_mid_gets_a_stable_id() -> None:
    postback = social_event("postback", {"title": "Empezar", "payload": "GET_STARTED"})
    postback["timestamp"] = "1527459824"  # the reference shows seconds, as a string
    message = one_fb(postback)
    assert message.provider_id == f"postback:{PSID}:1527459824000"
    assert message.sent_at == datetime(2018, 5, 27, 22, 23, 44, tzinfo=UTC)
    assert one_fb(postback).provider_id == message.provider_id


def test_an_instagram_message_and_story_reply() -> None:
    message_event = social_message("¡Qué lindo! ¿Precio? 💸", recipient=IG_ID)
    message_event["message"]["reply_to"] = {"story": {"url": "https://lookaside.test/s", "id": "1"}}
    [message] = read_ig(social_envelope(message_event, kind="instagram"))
    assert message.sender.channel == "instagram"
    assert "¡Qué lindo! ¿Precio? 💸" in message.text
    assert "https://lookaside.test/s" in message.text


def test_instagram_unsent_and_unsupported_messages() -> None:
    deleted = social_message(recipient=IG_ID)
    deleted["message"]["is_deleted"] = True
    unsupported = social_message(recipient=IG_ID)
    unsupported["message"]["is_unsupported"] = True
    events = read_ig(social_envelope(deleted, unsupported, kind="instagram"))
    assert len(events) == 1
    assert "unsupported" in events[0].text


def test_reactions_and_other_events_are_not_messages() -> None:
    reaction = social_event("reaction", {"mid": "m_x", "action": "react", "reaction": "love"})
    optin = social_event("optin", {"ref": "x"})
    assert read_fb(social_envelope(reaction, optin)) == []


def test_each_adapter_reads_only_its_object() -> None:
    with pytest.raises(PayloadError) as error:
        read_ig(social_envelope(social_message("hola")))
    assert error.value.field == "object"
    with pytest.raises(PayloadError):
        read_fb(social_envelope(social_message("hola"), kind="instagram"))


# --- payloads that are not Meta's ------------------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda p: p.pop("entry"), "entry"),
        (lambda p: p.update(entry=[[]]), "entry[0]"),
        (lambda p: p["entry"][0].update(messaging={}), "entry[0].messaging"),
        (lambda p: p["entry"][0]["messaging"][0].pop("sender"), f"{EVENT}.sender"),
        (lambda p: p["entry"][0]["messaging"][0]["sender"].update(id=123), f"{EVENT}.sender.id"),
        (lambda p: p["entry"][0]["messaging"][0].update(timestamp="ayer"), f"{EVENT}.timestamp"),
        (lambda p: p["entry"][0]["messaging"][0].update(timestamp=10**400), f"{EVENT}.timestamp"),
        (lambda p: p["entry"][0]["messaging"][0]["message"].pop("mid"), f"{EVENT}.message.mid"),
        (
            lambda p: p["entry"][0]["messaging"][0]["message"].update(text=5),
            f"{EVENT}.message.text",
        ),
        (
            lambda p: p["entry"][0]["messaging"][0]["message"].update(attachments="x"),
            f"{EVENT}.message.attachments",
        ),
        (
            lambda p: p["entry"][0]["messaging"][0]["message"].update(attachments=[{"payload": 1}]),
            f"{EVENT}.message.attachments[0].payload",
        ),
    ],
)
def test_a_payload_off_the_schema_names_the_field(mutate: Any, field: str) -> None:
    payload = social_envelope(social_message("hola"))
    mutate(payload)
    with pytest.raises(PayloadError) as error:
        read_fb(payload)
    assert error.value.field == field


def test_a_delivery_with_a_number_for_a_mid_names_the_field() -> None:
    delivery = social_event("delivery", {"mids": ["m_a", 7], "watermark": 1458668856253})
    with pytest.raises(PayloadError) as error:
        read_fb(social_envelope(delivery))
    assert error.value.field == f"{EVENT}.delivery.mids[1]"


@pytest.mark.parametrize("body", [b"\xfe" * (5 * 1024 * 1024), b"{", b"[" * 50_000, b'"page"'])
def test_junk_bodies_are_payload_errors(body: bytes) -> None:
    with pytest.raises(PayloadError):
        MESSENGER.read(FB, webhook(body))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
    | st.sampled_from(["page", "instagram", "m_1", "image", "1458692752478"]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(
        st.sampled_from(
            ["object", "entry", "messaging", "sender", "recipient", "id", "user_ref",
             "timestamp", "message", "mid", "text", "attachments", "type", "payload", "url",
             "reply_to", "story", "is_echo", "delivery", "mids", "watermark", "read",
             "postback", "title"]
        ) | st.text(max_size=5),
        children,
        max_size=5,
    ),
    max_leaves=30,
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON, st.sampled_from(["page", "instagram"]))
def test_random_json_raises_nothing_but_payload_error(payload: object, kind: str) -> None:
    if isinstance(payload, dict) and "object" not in payload:
        payload["object"] = kind  # get past the first check more often
    adapter = MESSENGER if kind == "page" else INSTAGRAM
    try:
        events = adapter.read(FB, webhook(json.dumps(payload).encode()))
    except PayloadError:
        return
    assert isinstance(events, list)


# --- sending --------------------------------------------------------------------------------


def test_a_text_goes_to_the_pages_messages(fake_graph: FakeGraph) -> None:
    account = config("messenger", fake_graph.base_url, page_id=PAGE_ID)
    message = OutboundMessage(to=PSID, text="¡Listo! Te devolvimos el dinero 💶", reply_to="m_q")
    result = MESSENGER.send_result(deliver(MESSENGER.send_request(account, message)))

    [received] = fake_graph.requests
    assert received.method == "POST"
    assert received.path == f"/v23.0/{PAGE_ID}/messages"
    assert received.headers["authorization"] == "Bearer EAAG-token-de-prueba"
    assert received.query == {}
    assert received.json == {
        "recipient": {"id": PSID},
        "messaging_type": "RESPONSE",
        "message": {"text": "¡Listo! Te devolvimos el dinero 💶"},
    }
    assert result.ok
    assert result.provider_id.startswith("m_")


def test_without_a_page_id_it_sends_to_me(fake_graph: FakeGraph) -> None:
    account = config("instagram", fake_graph.base_url, api_version="v21.0")
    result = INSTAGRAM.send_result(
        deliver(INSTAGRAM.send_request(account, OutboundMessage(to="IGSID", text="hola")))
    )
    assert fake_graph.requests[0].path == "/v21.0/me/messages"
    assert result.ok


@pytest.mark.parametrize(
    ("content_type", "kind"),
    [
        ("image/png", "image"),
        ("video/mp4", "video"),
        ("audio/mpeg", "audio"),
        ("application/pdf", "file"),
    ],
)
def test_an_attachment_goes_by_url(fake_graph: FakeGraph, content_type: str, kind: str) -> None:
    account = config("messenger", fake_graph.base_url)
    medium = Media("https://atiende.test/f/x", content_type)
    deliver(MESSENGER.send_request(account, OutboundMessage(to=PSID, media=(medium,))))
    assert fake_graph.requests[0].json["message"] == {
        "attachment": {"type": kind, "payload": {"url": "https://atiende.test/f/x"}}
    }


def test_text_and_attachments_are_split_into_one_request_each() -> None:
    medium = Media("https://atiende.test/f/x.png", "image/png", caption="la foto")
    message = OutboundMessage(to=PSID, text="Te mando la foto", media=(medium,))
    with pytest.raises(MessageRejected, match="split"):
        MESSENGER.send_request(FB, message)
    bodies = [
        json.loads(MESSENGER.send_request(FB, part).body) for part in MESSENGER.split(message)
    ]
    assert [body["message"] for body in bodies] == [
        {"text": "Te mando la foto"},
        {"text": "la foto"},
        {"attachment": {"type": "image", "payload": {"url": "https://atiende.test/f/x.png"}}},
    ]


@pytest.mark.parametrize(
    ("adapter", "message"),
    [
        (MESSENGER, OutboundMessage(to=PSID)),
        (INSTAGRAM, OutboundMessage(to=PSID)),
        (MESSENGER, OutboundMessage(to=PSID, text="a" * 2001)),
    ],
)
def test_what_the_send_api_cannot_carry_is_rejected(
    adapter: Messenger | Instagram, message: OutboundMessage
) -> None:
    with pytest.raises(MessageRejected):
        adapter.send_request(FB, message)


def test_templates_are_whatsapps_only() -> None:
    with pytest.raises(MessageRejected, match="templates"):
        MESSENGER.send_request(FB, OutboundMessage(to=PSID, template="hola"))


def send(fake_graph: FakeGraph) -> Any:
    account = config("messenger", fake_graph.base_url)
    request = MESSENGER.send_request(account, OutboundMessage(to=PSID, text="x"))
    return MESSENGER.send_result(deliver(request))


def test_a_graph_error_is_not_retried(fake_graph: FakeGraph) -> None:
    fake_graph.graph_error(551, "This person isn't available right now.")
    result = send(fake_graph)
    assert (result.ok, result.retry) == (False, False)
    assert "551" in result.error
    assert "available" in result.error


@pytest.mark.parametrize("prepare", ["throttle", "fail", "rate"])
def test_throttling_and_outages_are_retried(fake_graph: FakeGraph, prepare: str) -> None:
    if prepare == "throttle":
        fake_graph.throttle()
    elif prepare == "fail":
        fake_graph.fail(500)
    else:
        fake_graph.graph_error(613, "Calls to this api have exceeded the rate limit.")
    result = send(fake_graph)
    assert (result.ok, result.retry) == (False, True)


@pytest.mark.parametrize(
    ("status", "body", "ok", "retry"),
    [
        (200, b'{"recipient_id":"1","message_id":"m_AG5Hz2U"}', True, False),
        (200, b'{"recipient_id":"1"}', False, False),
        (400, b'{"error":{"message":"(#100) Invalid parameter","code":100}}', False, False),
        (429, b"", False, True),
        (500, b'{"error":{"message":"An unexpected error has occurred.","code":2}}', False, True),
    ],
)
def test_send_result(status: int, body: bytes, ok: bool, retry: bool) -> None:
    result = INSTAGRAM.send_result(ProviderResponse(status=status, headers={}, body=body))
    assert (result.ok, result.retry) == (ok, retry)
    assert result.ok or result.error

"""The WhatsApp Cloud adapter: signed webhooks in, Graph API requests out; pure and fast."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
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
from atiende.messaging.channels.providers.whatsapp import WhatsAppCloud, handshake, window_open
from tests.messaging.channels.fake_graph import (
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    FakeGraph,
    config,
    encode,
    sign,
    wa_envelope,
    wa_message,
    wa_payload,
    wa_status,
    wa_text,
    wa_value,
    webhook,
)
from tests.messaging.channels.fake_http import deliver

ADAPTER = WhatsAppCloud()
CONFIG = config("whatsapp")


def read(payload: dict[str, Any] | bytes) -> list[Any]:
    incoming = webhook(payload)
    ADAPTER.verify(CONFIG, incoming)
    return ADAPTER.read(CONFIG, incoming)


def one(payload: dict[str, Any]) -> InboundMessage:
    [event] = read(payload)
    assert isinstance(event, InboundMessage)
    return event


# --- signature and handshake ----------------------------------------------------------------


def test_a_signed_webhook_passes() -> None:
    ADAPTER.verify(CONFIG, webhook(wa_payload(wa_text("hola"))))


@pytest.mark.parametrize(
    ("header", "why"),
    [
        ("", "missing"),
        ("sha1=" + "a" * 40, "sha1 is not sha256"),
        ("sha256=" + "z" * 64, "not hex"),
        ("sha256=" + "a" * 63, "too short"),
        ("sha256", "no value"),
        ("a" * 64, "no scheme"),
    ],
)
def test_a_missing_or_malformed_signature_is_refused(header: str, why: str) -> None:
    with pytest.raises(SignatureError):
        ADAPTER.verify(CONFIG, webhook(wa_payload(wa_text("hola")), signature=header))


def test_a_signature_with_another_secret_is_refused() -> None:
    with pytest.raises(SignatureError, match="does not match"):
        ADAPTER.verify(CONFIG, webhook(wa_payload(wa_text("hola")), secret="otro-secreto"))


def test_a_body_altered_by_one_byte_is_refused() -> None:
    body = encode(wa_payload(wa_text("transferí $100")))
    signature = sign(body)
    altered = body.replace(b"100", b"900")
    assert len(altered) == len(body)
    ADAPTER.verify(CONFIG, webhook(body, signature=signature))
    with pytest.raises(SignatureError):
        ADAPTER.verify(CONFIG, webhook(altered, signature=signature))


def test_the_signature_in_upper_case_hex_still_matches() -> None:
    body = encode(wa_payload(wa_text("hola")))
    ADAPTER.verify(CONFIG, webhook(body, signature="sha256=" + sign(body)[7:].upper()))


def test_without_an_app_secret_nothing_is_accepted() -> None:
    unsigned = config("whatsapp")
    unsigned = type(unsigned)(unsigned.provider, unsigned.settings, {}, unsigned.api_base)
    with pytest.raises(SignatureError, match="no app secret"):
        ADAPTER.verify(unsigned, webhook(wa_payload(wa_text("hola"))))


def test_the_handshake_echoes_the_challenge() -> None:
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    assert handshake(CONFIG, query) == "1158201444"
    assert ADAPTER.handshake(CONFIG, query) == "1158201444"


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "otro", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN},
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "<script>"},
        {},
    ],
)
def test_any_other_handshake_is_refused(query: dict[str, str]) -> None:
    with pytest.raises(SignatureError):
        handshake(CONFIG, query)


def test_without_a_verify_token_no_handshake_passes() -> None:
    bare = type(CONFIG)(CONFIG.provider, {"phone_number_id": PHONE_NUMBER_ID}, {}, "")
    with pytest.raises(SignatureError):
        handshake(bare, {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"})


# --- reading messages -----------------------------------------------------------------------


def test_a_text_in_spanish_with_emoji() -> None:
    message = one(
        wa_payload(
            wa_text(
                "¿Tienen envío a Córdoba? Necesito el pedido ya 🚚🙏",
                wa_id="5493515550123",
                message_id="wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
                timestamp="1749416383",
                context="wamid.ours",
            )
        )
    )
    assert message.provider_id == "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="
    assert message.text == "¿Tienen envío a Córdoba? Necesito el pedido ya 🚚🙏"
    assert message.sender.channel == "whatsapp"
    assert message.sender.address == "5493515550123"
    assert message.sender.name == "Begoña Núñez"
    assert message.sent_at == datetime(2025, 6, 8, 20, 59, 43, tzinfo=UTC)
    assert message.reply_to == "wamid.ours"
    assert message.media == ()


def test_a_payload_sent_as_raw_utf8_reads_the_same() -> None:
    payload = wa_payload(wa_text("ñandú ☕"))
    [message] = read(json.dumps(payload, ensure_ascii=False).encode())
    assert message.text == "ñandú ☕"


@pytest.mark.parametrize(
    ("kind", "content", "expected"),
    [
        (
            "image",
            {
                "caption": "La factura 📄",
                "mime_type": "image/jpeg",
                "sha256": "81d3",
                "id": "2754859441498128",
            },
            Media("2754859441498128", "image/jpeg", caption="La factura 📄"),
        ),
        (
            "document",
            {
                "filename": "Presupuesto año 2025.pdf",
                "mime_type": "application/pdf",
                "sha256": "x",
                "id": "111",
            },
            Media("111", "application/pdf", filename="Presupuesto año 2025.pdf"),
        ),
        (
            "audio",
            {"mime_type": "audio/ogg; codecs=opus", "sha256": "x", "id": "222", "voice": True},
            Media("222", "audio/ogg; codecs=opus"),
        ),
        (
            "video",
            {"mime_type": "video/mp4", "sha256": "x", "id": "333"},
            Media("333", "video/mp4"),
        ),
        (
            "sticker",
            {"mime_type": "image/webp", "sha256": "x", "id": "444", "animated": False},
            Media("444", "image/webp"),
        ),
    ],
)
def test_media_are_announced_by_their_media_id(
    kind: str, content: dict[str, Any], expected: Media
) -> None:
    message = one(wa_payload(wa_message(kind, content)))
    assert message.media == (expected,)
    assert message.text == expected.caption


def test_a_media_without_its_id_names_the_field() -> None:
    with pytest.raises(PayloadError) as error:
        read(wa_payload(wa_message("image", {"mime_type": "image/jpeg"})))
    assert error.value.field == "entry[0].changes[0].value.messages[0].image.id"


def test_a_location_becomes_text_with_a_map_link() -> None:
    location = {
        "address": "Av. Corrientes 1234, Buenos Aires",
        "latitude": -34.6037,
        "longitude": -58.3816,
        "name": "Oficina Centro",
    }
    message = one(wa_payload(wa_message("location", location)))
    assert "Oficina Centro" in message.text
    assert "Av. Corrientes 1234, Buenos Aires" in message.text
    assert "mlat=-34.6037&mlon=-58.3816" in message.text


def test_shared_contacts_become_text() -> None:
    cards = [
        {
            "name": {"formatted_name": "José Pérez", "first_name": "José"},
            "phones": [{"phone": "+54 9 11 5555-0000", "wa_id": "5491155550000", "type": "CELL"}],
            "emails": [{"email": "jose@example.com", "type": "WORK"}],
        }
    ]
    message = one(wa_payload(wa_message("contacts", cards)))
    assert "José Pérez" in message.text
    assert "+54 9 11 5555-0000" in message.text
    assert "jose@example.com" in message.text


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            {"type": "button_reply", "button_reply": {"id": "si", "title": "Sí, confirmo"}},
            "Sí, confirmo",
        ),
        (
            {
                "type": "list_reply",
                "list_reply": {"id": "x", "title": "Envío exprés", "description": "24 h"},
            },
            "Envío exprés\n24 h",
        ),
    ],
)
def test_interactive_replies_become_their_title(content: dict[str, Any], expected: str) -> None:
    message = one(wa_payload(wa_message("interactive", content, context="wamid.buttons")))
    assert message.text == expected
    assert message.reply_to == "wamid.buttons"


def test_a_template_quick_reply_button_becomes_its_text() -> None:
    message = one(
        wa_payload(wa_message("button", {"payload": "STOP", "text": "No quiero más avisos"}))
    )
    assert message.text == "No quiero más avisos"


def test_a_reaction_answers_the_message_reacted_to() -> None:
    reaction = {"message_id": "wamid.ours", "emoji": "\U0001f44d"}
    message = one(wa_payload(wa_message("reaction", reaction)))
    assert message.reply_to == "wamid.ours"
    assert "\U0001f44d" in message.text


def test_a_removed_reaction_still_says_so() -> None:
    message = one(wa_payload(wa_message("reaction", {"message_id": "wamid.ours"})))
    assert message.text
    assert message.reply_to == "wamid.ours"


def test_an_unsupported_message_is_kept_as_a_line_that_says_so() -> None:
    unsupported = wa_message("unsupported", {"type": "poll_update"})
    unsupported["errors"] = [
        {
            "code": 131051,
            "title": "Message type unknown",
            "message": "Message type unknown",
            "error_data": {"details": "Message type is currently not supported."},
        }
    ]
    message = one(wa_payload(unsupported))
    assert "poll_update" in message.text
    assert "Message type unknown" in message.text


def test_a_type_we_do_not_know_is_kept_too() -> None:
    message = one(wa_payload(wa_message("hologram", {"id": "1"})))
    assert "hologram" in message.text


def test_a_system_message_keeps_its_words() -> None:
    body = {
        "body": "User Ana changed from 5491155550000 to 5491155551111",
        "type": "user_changed_number",
    }
    message = one(wa_payload(wa_message("system", body)))
    assert message.text == body["body"]


def test_statuses_become_delivery_updates() -> None:
    statuses = [
        wa_status("wamid.a", "sent", timestamp="1750857384"),
        wa_status("wamid.a", "delivered"),
        wa_status("wamid.a", "read"),
        wa_status("wamid.b", "deleted"),  # not a state a ticket shows
    ]
    updates = read(wa_envelope(wa_value(statuses=statuses)))
    assert [(u.provider_id, u.state) for u in updates] == [
        ("wamid.a", DeliveryState.SENT),
        ("wamid.a", DeliveryState.DELIVERED),
        ("wamid.a", DeliveryState.READ),
    ]
    assert updates[0].at == datetime(2025, 6, 25, 13, 16, 24, tzinfo=UTC)


def test_a_failed_status_says_why() -> None:
    error = {
        "code": 131047,
        "title": "Re-engagement message",
        "message": "Re-engagement message",
        "error_data": {"details": "Message failed to send because more than 24 hours have passed."},
        "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
    }
    [update] = read(
        wa_envelope(wa_value(statuses=[wa_status("wamid.c", "failed", errors=[error])]))
    )
    assert isinstance(update, DeliveryUpdate)
    assert update.state == DeliveryState.FAILED
    assert update.reason.startswith("131047 Re-engagement message")
    assert "24 hours" in update.reason


def test_a_batch_keeps_every_event_in_order() -> None:
    payload = wa_envelope(
        wa_value(
            messages=[wa_text("uno"), wa_text("dos")], statuses=[wa_status("wamid.x", "read")]
        ),
        wa_value(messages=[wa_text("tres")]),
    )
    second = wa_envelope(wa_value(messages=[wa_text("cuatro")]))
    payload = {**payload, "entry": [*payload["entry"], *second["entry"]]}
    events = read(payload)
    assert [getattr(event, "text", "status") for event in events] == [
        "uno",
        "dos",
        "status",
        "tres",
        "cuatro",
    ]


def test_other_fields_and_other_numbers_are_not_this_accounts() -> None:
    template_update = wa_envelope(
        {"event": "APPROVED", "message_template_name": "hola"},
        field_name="message_template_status_update",
    )
    assert read(template_update) == []
    elsewhere = wa_envelope(wa_value(messages=[wa_text("hola")], phone_number_id="999"))
    assert read(elsewhere) == []


def test_a_message_without_contacts_has_no_name() -> None:
    message = one(wa_envelope(wa_value(messages=[wa_text("hola")])))
    assert message.sender.name == ""


# --- payloads that are not Meta's ------------------------------------------------------------

VALUE = "entry[0].changes[0].value"


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda p: p.pop("entry"), "entry"),
        (lambda p: p.update(object="page"), "object"),
        (lambda p: p.update(entry={"id": "1"}), "entry"),
        (lambda p: p["entry"][0].update(changes="x"), "entry[0].changes"),
        (lambda p: p["entry"][0]["changes"][0].pop("value"), "entry[0].changes[0].value"),
        (
            lambda p: p["entry"][0]["changes"][0]["value"].update(messages={"0": 1}),
            f"{VALUE}.messages",
        ),
        (
            lambda p: p["entry"][0]["changes"][0]["value"]["messages"][0].update(
                {"from": 5491155550000}
            ),
            f"{VALUE}.messages[0].from",
        ),
        (
            lambda p: p["entry"][0]["changes"][0]["value"]["messages"][0].update(timestamp="ayer"),
            f"{VALUE}.messages[0].timestamp",
        ),
        (
            lambda p: p["entry"][0]["changes"][0]["value"]["messages"][0].update(timestamp=10**30),
            f"{VALUE}.messages[0].timestamp",
        ),
        (
            lambda p: p["entry"][0]["changes"][0]["value"]["messages"][0].pop("id"),
            f"{VALUE}.messages[0].id",
        ),
        (
            lambda p: p["entry"][0]["changes"][0]["value"]["messages"][0].update(text={"body": 42}),
            f"{VALUE}.messages[0].text.body",
        ),
        (
            lambda p: p["entry"][0]["changes"][0]["value"]["messages"][0].update(text="hola"),
            f"{VALUE}.messages[0].text",
        ),
        (
            lambda p: p["entry"][0]["changes"][0]["value"]["contacts"][0].update(profile=[]),
            f"{VALUE}.contacts[0].profile",
        ),
    ],
)
def test_a_payload_off_the_schema_names_the_field(mutate: Any, field: str) -> None:
    payload = wa_payload(wa_text("hola"))
    mutate(payload)
    with pytest.raises(PayloadError) as error:
        read(payload)
    assert error.value.field == field
    assert str(error.value)


def test_a_status_with_a_text_error_code_names_the_field() -> None:
    status = wa_status("wamid.c", "failed", errors=[{"code": "ciento", "title": "x"}])
    with pytest.raises(PayloadError) as error:
        read(wa_envelope(wa_value(statuses=[status])))
    assert error.value.field == f"{VALUE}.statuses[0].errors[0].code"


NAN_LATITUDE = json.dumps(
    wa_payload(wa_message("location", {"latitude": float("nan"), "longitude": 1}))
).encode()


@pytest.mark.parametrize(
    "body",
    [
        b"\x00\xff" * (5 * 1024 * 1024 // 2),  # 5 MB of junk
        b"not json",
        b"[" * 100_000,  # deeper than the parser's recursion
        b"[]",
        b"null",
        b'{"object": "whatsapp_business_account", "entry": [1e999]}',
        NAN_LATITUDE,
    ],
)
def test_junk_bodies_are_payload_errors(body: bytes) -> None:
    with pytest.raises(PayloadError):
        ADAPTER.read(CONFIG, webhook(body))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
    | st.sampled_from(["messages", "text", "image", "failed", "1749416383",
                       "whatsapp_business_account"]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(
        st.sampled_from(
            ["object", "entry", "changes", "field", "value", "messages", "statuses", "contacts",
             "from", "id", "type", "timestamp", "text", "body", "image", "context", "errors",
             "status", "profile", "wa_id", "metadata", "phone_number_id", "reaction", "emoji",
             "location", "latitude", "interactive", "code", "title"]
        ) | st.text(max_size=5),
        children,
        max_size=5,
    ),
    max_leaves=30,
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON)
def test_random_json_raises_nothing_but_payload_error(payload: object) -> None:
    body = json.dumps(payload).encode()
    try:
        events = ADAPTER.read(CONFIG, webhook(body))
    except PayloadError:
        return
    assert isinstance(events, list)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_documented_payload_with_one_leaf_replaced_raises_nothing_else(
    data: st.DataObject,
) -> None:
    payload: Any = wa_envelope(
        wa_value(
            messages=[
                wa_text("hola", context="wamid.x"),
                wa_message("image", {"id": "1", "mime_type": "image/png"}),
            ],
            statuses=[
                wa_status(
                    "wamid.y",
                    "failed",
                    errors=[{"code": 1, "title": "t", "error_data": {"details": "d"}}],
                )
            ],
            contacts=[{"profile": {"name": "Ana"}, "wa_id": "5491155550000"}],
        )
    )
    node = payload
    while isinstance(node, dict | list) and node:
        keys = list(node.keys()) if isinstance(node, dict) else list(range(len(node)))
        key = data.draw(st.sampled_from(keys))
        if data.draw(st.booleans()) or not isinstance(node[key], dict | list):
            node[key] = data.draw(JSON)
            break
        node = node[key]
    with contextlib.suppress(PayloadError):
        ADAPTER.read(CONFIG, webhook(json.dumps(payload).encode()))


# --- sending --------------------------------------------------------------------------------


def test_a_text_goes_to_the_phone_numbers_messages(fake_graph: FakeGraph) -> None:
    account = config("whatsapp", fake_graph.base_url)
    message = OutboundMessage(
        to="5493515550123", text="¡Hola, Begoña! Ya salió tu pedido 📦", reply_to="wamid.cust"
    )
    result = ADAPTER.send_result(deliver(ADAPTER.send_request(account, message)))

    [received] = fake_graph.requests
    assert received.method == "POST"
    assert received.path == f"/v23.0/{PHONE_NUMBER_ID}/messages"
    assert received.headers["authorization"] == "Bearer EAAG-token-de-prueba"
    assert received.headers["content-type"] == "application/json"
    assert "access_token" not in received.query
    assert received.json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "5493515550123",
        "type": "text",
        "text": {"body": "¡Hola, Begoña! Ya salió tu pedido 📦"},
        "context": {"message_id": "wamid.cust"},
    }
    assert result.ok
    assert result.provider_id.startswith("wamid.")


def test_the_api_version_comes_from_the_settings(fake_graph: FakeGraph) -> None:
    account = config("whatsapp", fake_graph.base_url + "/", api_version="21.0")
    deliver(ADAPTER.send_request(account, OutboundMessage(to="1", text="x")))
    assert fake_graph.requests[0].path == f"/v21.0/{PHONE_NUMBER_ID}/messages"


FILES = "https://atiende.test/f"


@pytest.mark.parametrize(
    ("media", "text", "expected"),
    [
        (
            Media(f"{FILES}/a.jpg", "image/jpeg"),
            "Tu comprobante",
            {"type": "image", "image": {"link": f"{FILES}/a.jpg", "caption": "Tu comprobante"}},
        ),
        (
            Media(f"{FILES}/b.pdf", "application/pdf", filename="Factura Nº 12.pdf"),
            "",
            {
                "type": "document",
                "document": {"link": f"{FILES}/b.pdf", "filename": "Factura Nº 12.pdf"},
            },
        ),
        (
            Media(f"{FILES}/c.ogg", "audio/ogg"),
            "",
            {"type": "audio", "audio": {"link": f"{FILES}/c.ogg"}},
        ),
        (
            Media(f"{FILES}/d.mp4", "video/mp4", caption="Así se instala"),
            "",
            {"type": "video", "video": {"link": f"{FILES}/d.mp4", "caption": "Así se instala"}},
        ),
    ],
)
def test_media_are_sent_by_link(
    fake_graph: FakeGraph, media: Media, text: str, expected: dict[str, Any]
) -> None:
    account = config("whatsapp", fake_graph.base_url)
    result = ADAPTER.send_result(
        deliver(ADAPTER.send_request(account, OutboundMessage(to="1", text=text, media=(media,))))
    )
    body = fake_graph.requests[0].json
    assert {key: body[key] for key in ("type", expected["type"])} == expected
    assert result.ok


def test_a_template_carries_its_language_and_parameters(fake_graph: FakeGraph) -> None:
    account = config("whatsapp", fake_graph.base_url)
    message = OutboundMessage(
        to="5493515550123",
        text="ignored",
        template="seguimiento_ticket",
        template_language="es_AR",
        template_params=("Begoña", "#1234"),
    )
    assert ADAPTER.send_result(deliver(ADAPTER.send_request(account, message))).ok
    body = fake_graph.requests[0].json
    assert body["type"] == "template"
    assert body["template"] == {
        "name": "seguimiento_ticket",
        "language": {"code": "es_AR"},
        "components": [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "Begoña"},
                    {"type": "text", "text": "#1234"},
                ],
            }
        ],
    }
    assert "text" not in body


def test_a_template_without_a_language_uses_the_accounts() -> None:
    account = config("whatsapp", template_language="pt_BR")
    request = ADAPTER.send_request(account, OutboundMessage(to="1", template="hola"))
    assert json.loads(request.body)["template"] == {"name": "hola", "language": {"code": "pt_BR"}}
    request = ADAPTER.send_request(CONFIG, OutboundMessage(to="1", template="hola"))
    assert json.loads(request.body)["template"]["language"] == {"code": "es"}


def test_split_makes_one_request_per_attachment() -> None:
    photo = Media("https://atiende.test/a.png", "image/png", caption="foto")
    voice = Media("https://atiende.test/b.ogg", "audio/ogg", caption="escuchá esto")
    message = OutboundMessage(
        to="1", text="Te mando todo", media=(photo, voice), reply_to="wamid.q"
    )
    with pytest.raises(MessageRejected, match="one attachment"):
        ADAPTER.send_request(CONFIG, message)
    parts = ADAPTER.split(message)
    bodies = [json.loads(ADAPTER.send_request(CONFIG, part).body) for part in parts]
    assert [body["type"] for body in bodies] == ["text", "image", "text", "audio"]
    assert bodies[0]["context"] == {"message_id": "wamid.q"}
    assert all("context" not in body for body in bodies[1:])
    assert bodies[1]["image"]["caption"] == "foto"
    assert bodies[2]["text"]["body"] == "escuchá esto"
    assert "caption" not in bodies[3]["audio"]


def test_an_audio_with_a_caption_must_be_split_first() -> None:
    message = OutboundMessage(
        to="1", text="hola", media=(Media("https://a.test/x.mp3", "audio/mpeg"),)
    )
    with pytest.raises(MessageRejected, match="no caption"):
        ADAPTER.send_request(CONFIG, message)


# --- what the API answers -------------------------------------------------------------------


def send(fake_graph: FakeGraph) -> Any:
    account = config("whatsapp", fake_graph.base_url)
    return ADAPTER.send_result(
        deliver(ADAPTER.send_request(account, OutboundMessage(to="1", text="x")))
    )


def test_a_graph_error_is_not_retried(fake_graph: FakeGraph) -> None:
    fake_graph.graph_error(
        131030,
        "(#131030) Recipient phone number not in allowed list",
        details="Add recipient phone number to recipient list and try again.",
    )
    result = send(fake_graph)
    assert not result.ok
    assert not result.retry
    assert "131030" in result.error
    assert "Recipient phone number not in allowed list" in result.error
    assert "Add recipient phone number" in result.error


@pytest.mark.parametrize("code", [4, 80007, 130429, 131056])
def test_throttling_codes_are_retried_even_as_400(fake_graph: FakeGraph, code: int) -> None:
    fake_graph.graph_error(code, "(#130429) Rate limit hit")
    result = send(fake_graph)
    assert (result.ok, result.retry) == (False, True)
    assert str(code) in result.error


def test_a_429_is_retried(fake_graph: FakeGraph) -> None:
    fake_graph.throttle()
    result = send(fake_graph)
    assert (result.ok, result.retry, result.retry_after) == (False, True, 0)
    assert "429" in result.error


def test_a_429_says_how_long_to_wait(fake_graph: FakeGraph) -> None:
    fake_graph.throttle(retry_after=30)
    assert send(fake_graph).retry_after == 30


@pytest.mark.parametrize(
    "message",
    [
        OutboundMessage(to="1"),
        OutboundMessage(to="1", text="a" * 4097),
        OutboundMessage(
            to="1", text="a" * 1025, media=(Media("https://a.test/x.png", "image/png"),)
        ),
    ],
)
def test_what_whatsapp_cannot_carry_is_rejected(message: OutboundMessage) -> None:
    with pytest.raises(MessageRejected):
        ADAPTER.send_request(CONFIG, message)


def test_a_500_without_json_is_retried(fake_graph: FakeGraph) -> None:
    fake_graph.fail(500)
    result = send(fake_graph)
    assert (result.ok, result.retry) == (False, True)
    assert result.error.startswith("HTTP 500")


def test_after_a_failure_the_fake_answers_success_again(fake_graph: FakeGraph) -> None:
    fake_graph.fail(503)
    assert send(fake_graph).retry
    assert send(fake_graph).ok
    assert len(fake_graph.requests) == 2


def test_a_hanging_api_times_out(fake_graph: FakeGraph) -> None:
    fake_graph.hang(5)
    account = config("whatsapp", fake_graph.base_url)
    with pytest.raises(httpx.TimeoutException):
        deliver(ADAPTER.send_request(account, OutboundMessage(to="1", text="x")), timeout=0.2)
    assert len(fake_graph.requests) == 1


def test_a_wrong_token_is_an_error_the_fake_reports_like_graph(fake_graph: FakeGraph) -> None:
    account = config("whatsapp", fake_graph.base_url)
    request = ADAPTER.send_request(account, OutboundMessage(to="1", text="x"))
    request = type(request)(
        request.method, request.url, {"Content-Type": "application/json"}, request.body
    )
    result = ADAPTER.send_result(deliver(request))
    assert (result.ok, result.retry) == (False, False)
    assert "190" in result.error


@pytest.mark.parametrize(
    ("status", "body", "ok", "retry"),
    [
        (
            200,
            b'{"messaging_product":"whatsapp","contacts":[],"messages":[{"id":"wamid.X"}]}',
            True,
            False,
        ),
        (200, b'{"messages":[]}', False, False),
        (200, b"<html>", False, False),
        (400, b'{"error":{"message":"(#100) Invalid parameter","code":100}}', False, False),
        (400, b'{"error":{"message":"Temporary","code":1,"is_transient":true}}', False, True),
        (404, b"not found", False, False),
        (502, b"", False, True),
    ],
)
def test_send_result(status: int, body: bytes, ok: bool, retry: bool) -> None:
    result = ADAPTER.send_result(ProviderResponse(status=status, headers={}, body=body))
    assert (result.ok, result.retry) == (ok, retry)
    assert result.ok or result.error


# --- the customer-service window ------------------------------------------------------------


def test_the_window_is_open_for_24_hours() -> None:
    last = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    assert window_open(last, last + timedelta(hours=23, minutes=59))
    assert not window_open(last, last + timedelta(hours=24))
    assert not window_open(None, last)

"""The Telegram adapter against documented Updates and a fake Bot API on loopback."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atiende.messaging.channels.contract import (
    Adapter,
    InboundMessage,
    Media,
    MessageRejected,
    OutboundMessage,
    PayloadError,
    ProviderResponse,
    SignatureError,
)
from atiende.messaging.channels.providers.telegram import TelegramBot
from tests.messaging.channels.fake_http import deliver
from tests.messaging.channels.fake_telegram import (
    CHAT_ID,
    DATE,
    SECRET,
    TOKEN,
    FakeTelegram,
    message_update,
    photo_sizes,
    private_message,
    telegram_config,
    too_many_requests,
    update,
    voice,
)

BOT = TelegramBot()
CONFIG = telegram_config()


def read_one(payload: dict[str, object]) -> InboundMessage:
    events = BOT.read(CONFIG, update(payload))
    assert len(events) == 1
    event = events[0]
    assert isinstance(event, InboundMessage)
    return event


def test_it_is_an_adapter() -> None:
    adapter: Adapter = BOT
    assert (adapter.provider, adapter.channel) == ("telegram", "telegram")


# -- verify ---------------------------------------------------------------------------------


def test_the_secret_token_header_verifies() -> None:
    BOT.verify(CONFIG, update(message_update(private_message(text="Hola"))))


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x", SECRET.upper(), "ñandú"])
def test_a_missing_or_wrong_secret_token_is_refused(secret: str | None) -> None:
    with pytest.raises(SignatureError):
        BOT.verify(CONFIG, update(message_update(private_message(text="Hola")), secret=secret))


def test_an_account_without_secret_refuses_everything() -> None:
    config = telegram_config()
    config = type(config)(config.provider, {}, {"bot_token": TOKEN}, config.api_base)
    with pytest.raises(SignatureError):
        BOT.verify(config, update(message_update(private_message(text="Hola")), secret=""))


# -- read -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["Hola, ¿me ayudan con mi pedido? Gracias 🙏", "Hola, me ayudan con mi pedido? Gracias", "😀"],
)
def test_a_text_message(text: str) -> None:
    message = read_one(message_update(private_message(message_id=1365, text=text)))
    assert message.provider_id == f"{CHAT_ID}:1365"
    assert message.text == text
    assert message.sender.channel == "telegram"
    assert message.sender.address == str(CHAT_ID)
    assert message.sender.name == "Lucía Pérez"
    assert message.sent_at == datetime.fromtimestamp(DATE, tz=UTC)
    assert message.media == ()
    assert message.reply_to == ""


def test_the_name_falls_back_to_the_username() -> None:
    payload = private_message(text="hola")
    payload["from"] = {"id": CHAT_ID, "is_bot": False, "first_name": "", "username": "lucia_p"}
    assert read_one(message_update(payload)).sender.name == "lucia_p"


def test_a_photo_with_caption_keeps_the_largest_size() -> None:
    payload = private_message(photo=photo_sizes("AgACph"), caption="La factura, está mal 😕")
    message = read_one(message_update(payload))
    assert message.text == "La factura, está mal 😕"
    assert message.media == (
        Media(
            reference="AgACph-x",
            content_type="image/jpeg",
            size=98311,
            caption="La factura, está mal 😕",
        ),
    )


def test_a_voice_note() -> None:
    message = read_one(message_update(private_message(voice=voice("AwACvo"))))
    assert message.text == ""
    assert message.media == (Media("AwACvo", "audio/ogg", size=10240),)


def test_a_document() -> None:
    document = {
        "file_id": "BQACdoc",
        "file_unique_id": "AgADdo",
        "file_name": "contraseña.pdf",
        "mime_type": "application/pdf",
        "file_size": 48213,
    }
    message = read_one(message_update(private_message(document=document, caption="adjunto")))
    assert message.media == (
        Media("BQACdoc", "application/pdf", "contraseña.pdf", 48213, "adjunto"),
    )


def test_a_location() -> None:
    location = {"latitude": 19.432608, "longitude": -99.133209}
    message = read_one(message_update(private_message(location=location)))
    assert "19.432608" in message.text
    assert "-99.133209" in message.text
    assert "openstreetmap.org" in message.text


def test_a_contact_and_a_sticker() -> None:
    contact = {"phone_number": "+5215512345678", "first_name": "José", "last_name": "Núñez"}
    assert (
        "José Núñez +5215512345678"
        in read_one(message_update(private_message(contact=contact))).text
    )
    sticker = {
        "file_id": "CAACst",
        "file_unique_id": "AgADst",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "👍",
    }
    message = read_one(message_update(private_message(sticker=sticker)))
    assert "👍" in message.text
    assert message.media[0].reference == "CAACst"
    assert message.media[0].content_type == "image/webp"


def test_an_edited_message_is_a_new_event_that_says_so() -> None:
    payload = private_message(message_id=1365, text="Hola, ya lo resolví", edit_date=DATE + 60)
    message = read_one(message_update(payload, "edited_message"))
    assert message.provider_id == f"{CHAT_ID}:1365:edit:{DATE + 60}"
    assert "Hola, ya lo resolví" in message.text
    assert message.text != "Hola, ya lo resolví"
    assert message.sent_at == datetime.fromtimestamp(DATE + 60, tz=UTC)


def test_a_reply_names_the_message_it_answers() -> None:
    replied = private_message(message_id=5001, text="¿En qué le ayudamos?")
    payload = private_message(message_id=1366, text="Con la factura", reply_to_message=replied)
    assert read_one(message_update(payload)).reply_to == f"{CHAT_ID}:5001"


@pytest.mark.parametrize("chat_type", ["group", "supergroup", "channel"])
def test_group_chats_and_channels_are_no_event(chat_type: str) -> None:
    payload = private_message(text="hola a todos")
    payload["chat"] = {"id": -1001234567890, "title": "Clientes", "type": chat_type}
    assert BOT.read(CONFIG, update(message_update(payload))) == []


def test_service_messages_are_no_event() -> None:
    pinned = private_message(message_id=1, text="hola")
    payload = private_message(message_id=1367, pinned_message=pinned)
    assert BOT.read(CONFIG, update(message_update(payload))) == []


def test_a_poll_is_named_so_that_the_agent_knows() -> None:
    poll = {"id": "1", "question": "¿Sí o no?", "options": [], "total_voter_count": 0}
    message = read_one(message_update(private_message(poll=poll)))
    assert "poll" in message.text


@pytest.mark.parametrize(
    "payload",
    [
        {"update_id": 1, "channel_post": {"message_id": 1, "date": DATE, "text": "x",
                                          "chat": {"id": -100, "type": "channel"}}},
        {"update_id": 2, "callback_query": {"id": "4382", "from": {"id": 1, "is_bot": False,
                                                                    "first_name": "A"},
                                            "chat_instance": "-1", "data": "ok"}},
        {"update_id": 3, "my_chat_member": {"chat": {"id": 1, "type": "private"}}},
        {"update_id": 4},
        {"update_id": 5, "some_future_kind": {"x": 1}},
    ],
)  # fmt: skip
def test_other_update_kinds_are_no_event(payload: dict[str, object]) -> None:
    assert BOT.read(CONFIG, update(payload)) == []


def as_json(value: object) -> bytes:
    return json.dumps(value).encode()


def with_message(kind: str = "message", **content: object) -> bytes:
    return as_json(message_update(private_message(**content), kind))


BARE = {"message_id": 1, "date": 1}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", "body"),
        (b"\xff\xfe\x00garbage", "body"),
        (b"[" * 100_000, "body"),
        (as_json([{"update_id": 1}]), "update"),
        (as_json({"message": {}}), "update.update_id"),
        (as_json({"update_id": "1"}), "update.update_id"),
        (as_json({"update_id": True}), "update.update_id"),
        (as_json({"update_id": 1, "message": []}), "message"),
        (as_json({"update_id": 1, "message": BARE}), "message.chat"),
        (as_json({"update_id": 1, "message": {**BARE, "chat": []}}), "message.chat"),
        (as_json({"update_id": 1, "message": {**BARE, "chat": {"type": "x"}}}), "message.chat.id"),
        (with_message(text=["hola"]), "message.text"),
        (with_message(photo=[]), "message.photo"),
        (with_message(photo={"file_id": "x"}), "message.photo"),
        (with_message(voice={"duration": 3}), "message.voice.file_id"),
        (with_message(location={"latitude": "19"}), "message.location.latitude"),
        (with_message(date=10**20, text="x"), "message.date"),
        (with_message("edited_message", text="x"), "edited_message.edit_date"),
        (b"{" + b" " * (5 * 1024 * 1024) + b"}", "body"),
        (bytes(range(256)) * 20_000, "body"),
    ],
)  # fmt: skip
def test_payloads_telegram_does_not_send_are_payload_errors(body: bytes, field: str) -> None:
    with pytest.raises(PayloadError) as raised:
        BOT.read(CONFIG, update(body))
    assert raised.value.field == field


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=30,
)
KEYS = st.sampled_from(
    ["update_id", "message", "edited_message", "chat", "id", "type", "message_id", "date", "from",
     "text", "caption", "photo", "file_id", "width", "height", "voice", "location", "latitude",
     "longitude", "contact", "phone_number", "first_name", "sticker", "reply_to_message",
     "edit_date", "document", "venue", "poll"]
)  # fmt: skip
SHAPED = st.recursive(
    st.none() | st.integers() | st.text(max_size=8) | st.just("private") | st.floats(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=40,
)


CONTENT = [
    "text",
    "caption",
    "photo",
    "voice",
    "audio",
    "video",
    "document",
    "animation",
    "sticker",
    "location",
    "venue",
    "contact",
    "reply_to_message",
    "edit_date",
    "from",
]
MESSAGES = st.fixed_dictionaries(
    {
        "message_id": st.integers(),
        "date": st.integers(),
        "chat": st.fixed_dictionaries({"id": st.integers(), "type": st.just("private")}),
    },
    optional=dict.fromkeys(CONTENT, SHAPED),
)
UPDATES = st.fixed_dictionaries(
    {"update_id": st.integers()},
    optional={"message": MESSAGES, "edited_message": MESSAGES},
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=st.one_of(JSON, SHAPED, UPDATES), raw=st.binary(max_size=64), use_raw=st.booleans())
def test_random_payloads_raise_nothing_but_payload_errors(
    payload: object, raw: bytes, use_raw: bool
) -> None:
    body = raw if use_raw else json.dumps(payload).encode()
    try:
        events = BOT.read(CONFIG, update(body))
    except PayloadError:
        return
    assert all(isinstance(event, InboundMessage) for event in events)


@settings(max_examples=100, deadline=None)
@given(secret=st.text(max_size=40))
def test_random_secret_headers_raise_nothing_but_signature_errors(secret: str) -> None:
    try:
        BOT.verify(CONFIG, update(b"{}", secret=secret))
    except SignatureError:
        assert secret != SECRET


# -- send_request, sent to the fake Bot API -------------------------------------------------


def test_a_text_reply_goes_to_send_message(telegram_api: FakeTelegram) -> None:
    config = telegram_config(telegram_api.base_url)
    outbound = OutboundMessage(
        to=str(CHAT_ID), text="¡Hola Lucía! Ya revisamos tu caso 🎉", reply_to=f"{CHAT_ID}:1365"
    )
    response = deliver(BOT.send_request(config, outbound))
    result = BOT.send_result(response)
    assert result.ok
    assert result.provider_id == f"{CHAT_ID}:5001"
    [request] = telegram_api.requests
    assert request.method == "POST"
    assert request.path == f"/bot{TOKEN}/sendMessage"
    assert request.headers["content-type"] == "application/json"
    assert request.json == {
        "chat_id": CHAT_ID,
        "text": "¡Hola Lucía! Ya revisamos tu caso 🎉",
        "reply_parameters": {"message_id": 1365, "allow_sending_without_reply": True},
    }


@pytest.mark.parametrize(
    ("content_type", "method", "field"),
    [
        ("image/jpeg", "sendPhoto", "photo"),
        ("application/pdf", "sendDocument", "document"),
        ("audio/mpeg", "sendAudio", "audio"),
        ("video/mp4", "sendVideo", "video"),
    ],
)
def test_one_attachment_goes_by_url_with_the_text_as_caption(
    telegram_api: FakeTelegram, content_type: str, method: str, field: str
) -> None:
    url = "https://helpdesk.example/media/signed/abc?sig=1"
    outbound = OutboundMessage(to=str(CHAT_ID), text="Aquí está", media=(Media(url, content_type),))
    result = BOT.send_result(
        deliver(BOT.send_request(telegram_config(telegram_api.base_url), outbound))
    )
    assert result.ok
    [request] = telegram_api.requests
    assert request.path == f"/bot{TOKEN}/{method}"
    assert request.json == {"chat_id": CHAT_ID, field: url, "caption": "Aquí está"}


def test_several_attachments_go_as_an_album(telegram_api: FakeTelegram) -> None:
    media = (
        Media("https://h.example/a.jpg", "image/jpeg"),
        Media("https://h.example/b.pdf", "application/pdf"),
    )
    outbound = OutboundMessage(to=str(CHAT_ID), text="Dos archivos", media=media)
    result = BOT.send_result(
        deliver(BOT.send_request(telegram_config(telegram_api.base_url), outbound))
    )
    assert result.ok
    [request] = telegram_api.requests
    assert request.path.endswith("/sendMediaGroup")
    assert request.json["media"] == [
        {"type": "document", "media": "https://h.example/a.jpg", "caption": "Dos archivos"},
        {"type": "document", "media": "https://h.example/b.pdf"},
    ]


JPEG = Media("https://h.example/a.jpg", "image/jpeg")


@pytest.mark.parametrize(
    "outbound",
    [
        OutboundMessage(to=str(CHAT_ID), text=""),
        OutboundMessage(to=str(CHAT_ID), text="a" * 4097),
        OutboundMessage(to=str(CHAT_ID), text="😀" * 2049),  # 4098 UTF-16 code units
        OutboundMessage(to=str(CHAT_ID), text="a" * 1025, media=(JPEG,)),
        OutboundMessage(to=str(CHAT_ID), media=(JPEG,) * 11),
        OutboundMessage(to="lucía", text="hola"),
    ],
)
def test_what_telegram_would_refuse_is_rejected(outbound: OutboundMessage) -> None:
    with pytest.raises(MessageRejected, match=r"\w"):
        BOT.send_request(CONFIG, outbound)


def test_a_blocked_bot_is_not_retried(telegram_api: FakeTelegram) -> None:
    telegram_api.blocked.add(CHAT_ID)
    outbound = OutboundMessage(to=str(CHAT_ID), text="hola")
    result = BOT.send_result(
        deliver(BOT.send_request(telegram_config(telegram_api.base_url), outbound))
    )
    assert not result.ok
    assert not result.retry
    assert result.error == "403 Forbidden: bot was blocked by the user"


def test_flood_control_is_retried(telegram_api: FakeTelegram) -> None:
    telegram_api.answer_next(429, too_many_requests(retry_after=7))
    outbound = OutboundMessage(to=str(CHAT_ID), text="hola")
    result = BOT.send_result(
        deliver(BOT.send_request(telegram_config(telegram_api.base_url), outbound))
    )
    assert (result.ok, result.retry) == (False, True)
    assert "429" in result.error
    assert "7" in result.error
    assert result.retry_after == 7


def test_a_server_error_is_retried(telegram_api: FakeTelegram) -> None:
    telegram_api.answer_next(500, b"<html>Internal Server Error</html>")
    outbound = OutboundMessage(to=str(CHAT_ID), text="hola")
    result = BOT.send_result(
        deliver(BOT.send_request(telegram_config(telegram_api.base_url), outbound))
    )
    assert (result.ok, result.retry, result.error) == (False, True, "HTTP 500")


def test_a_wrong_token_is_not_retried(telegram_api: FakeTelegram) -> None:
    config = telegram_config(telegram_api.base_url)
    config = type(config)(config.provider, {}, {"bot_token": "1:other"}, config.api_base)
    result = BOT.send_result(deliver(BOT.send_request(config, OutboundMessage(to="1", text="x"))))
    assert (result.ok, result.retry, result.error) == (False, False, "401 Unauthorized")


def test_a_hanging_api_times_out(telegram_api: FakeTelegram) -> None:
    telegram_api.hang_next(10)
    request = BOT.send_request(
        telegram_config(telegram_api.base_url), OutboundMessage(to="1", text="x")
    )
    with pytest.raises(httpx.TimeoutException):
        deliver(request, timeout=0.3)
    assert len(telegram_api.requests) == 1


def sent(message_id: int, chat_id: int = 42) -> dict[str, object]:
    return {"message_id": message_id, "chat": {"id": chat_id, "type": "private"}, "date": 1}


def failed(code: int, description: str) -> dict[str, object]:
    return {"ok": False, "error_code": code, "description": description}


@pytest.mark.parametrize(
    ("status", "body", "ok", "retry"),
    [
        (200, {"ok": True, "result": sent(9)}, True, False),
        (200, {"ok": True, "result": [sent(9), sent(10)]}, True, False),
        (200, {"ok": True, "result": True}, False, False),
        (429, too_many_requests(3), False, True),
        (400, failed(400, "Bad Request: chat not found"), False, False),
        (403, failed(403, "Forbidden: bot was blocked by the user"), False, False),
        (502, b"Bad Gateway", False, True),
        (500, failed(500, "Internal Server Error"), False, True),
        (200, b"not json", False, False),
    ],
)
def test_send_result(status: int, body: object, ok: bool, retry: bool) -> None:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    result = BOT.send_result(ProviderResponse(status, {}, raw))
    assert (result.ok, result.retry) == (ok, retry)
    if ok:
        assert result.provider_id == "42:9"
    else:
        assert result.error


# -- split ----------------------------------------------------------------------------------


def test_split_keeps_what_one_request_carries() -> None:
    text = OutboundMessage(to=str(CHAT_ID), text="a" * 4096, reply_to=f"{CHAT_ID}:1")
    album = OutboundMessage(to=str(CHAT_ID), text="Fotos", media=(JPEG,) * 10)
    assert BOT.split(text) == [text]
    assert BOT.split(album) == [album]


def test_split_makes_albums_of_ten_with_the_text_on_the_first() -> None:
    message = OutboundMessage(
        to=str(CHAT_ID), text="Fotos", media=(JPEG,) * 23, reply_to=f"{CHAT_ID}:1"
    )
    parts = BOT.split(message)
    assert [len(part.media) for part in parts] == [10, 10, 3]
    assert [part.text for part in parts] == ["Fotos", "", ""]
    assert [part.reply_to for part in parts] == [f"{CHAT_ID}:1", "", ""]
    for part in parts:
        BOT.send_request(CONFIG, part)


def test_split_sends_a_text_too_long_for_a_caption_before_the_media() -> None:
    message = OutboundMessage(to=str(CHAT_ID), text="😀" * 600, media=(JPEG,))  # 1200 units
    first, second = BOT.split(message)
    assert (first.text, first.media) == (message.text, ())
    assert (second.text, second.media) == ("", (JPEG,))
    methods = [BOT.send_request(CONFIG, part).url.rsplit("/", 1)[1] for part in (first, second)]
    assert methods == ["sendMessage", "sendPhoto"]

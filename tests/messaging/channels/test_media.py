"""Customers' media downloaded from each provider (a fake on loopback) and kept as attachments;
too large, the wrong type, or a provider that fails each named in the message, nothing raised,
nothing held in memory."""

from __future__ import annotations

import tracemalloc
from typing import Any

import pytest
from django.core.files.storage import default_storage

from atiende.messaging.channels.contract import AccountConfig, InboundMessage, Media, Sender
from atiende.messaging.channels.services.media import Fetched, fetch_media, message_text
from tests.messaging.channels.fake_graph import ACCESS_TOKEN, PHONE_NUMBER_ID
from tests.messaging.channels.fake_graph import config as graph_config
from tests.messaging.channels.fake_media import (
    EXE,
    HTML,
    JPEG,
    OGG,
    PDF,
    PNG,
    FakeMedia,
    lookaside_path,
    media_host_fixture,
)
from tests.messaging.channels.fake_telegram import TOKEN, telegram_config
from tests.messaging.channels.fake_twilio import twilio_config

pytestmark = pytest.mark.usefixtures("english")
__all__ = ["media_host_fixture"]

MB = 1024 * 1024


def fetch_one(config: AccountConfig, medium: Media) -> Fetched:
    (fetched,) = fetch_media(config, [medium])
    return fetched


def stored_bytes(fetched: Fetched) -> bytes:
    assert fetched.file is not None, fetched.line
    with default_storage.open(fetched.file.path) as stored:
        return bytes(stored.read())


# -- each provider's flow ---------------------------------------------------------------------


def test_a_whatsapp_document_is_looked_up_then_downloaded_with_the_bearer_token(
    media_host: FakeMedia,
) -> None:
    medium = media_host.whatsapp_medium(PDF, "application/pdf", filename="factura-0042.pdf")

    fetched = fetch_one(graph_config("whatsapp", media_host.base_url), medium)

    assert fetched.file is not None and fetched.line == ""
    assert fetched.file.filename == "factura-0042.pdf"
    assert fetched.file.content_type == "application/pdf"
    assert stored_bytes(fetched) == PDF
    lookup, download = media_host.requests
    assert lookup.path.endswith(f"/{medium.reference}") and lookup.path.startswith("/v")
    assert lookup.query["phone_number_id"] == [PHONE_NUMBER_ID]
    assert download.path == lookaside_path(medium.reference)
    for request in (lookup, download):
        assert request.method == "GET"
        assert request.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"


def test_a_whatsapp_image_without_a_name_is_named_after_its_type(media_host: FakeMedia) -> None:
    medium = media_host.whatsapp_medium(JPEG, "image/jpeg")

    fetched = fetch_one(graph_config("whatsapp", media_host.base_url), medium)

    assert fetched.file is not None
    assert (fetched.file.filename, fetched.file.content_type) == ("image.jpg", "image/jpeg")


def test_a_telegram_file_comes_through_getfile_and_the_file_url_with_the_token(
    media_host: FakeMedia,
) -> None:
    medium = media_host.telegram_file(OGG, "voice/file_3.oga", mime_type="audio/ogg")

    fetched = fetch_one(telegram_config(media_host.base_url), medium)

    assert fetched.file is not None
    assert fetched.file.filename == "file_3.oga"  # the customer gave none; Telegram's path
    assert stored_bytes(fetched) == OGG
    lookup, download = media_host.requests
    assert lookup.path == f"/bot{TOKEN}/getFile"
    assert lookup.query["file_id"] == [medium.reference]
    assert download.path == f"/file/bot{TOKEN}/voice/file_3.oga"


def test_the_customers_file_name_is_kept_but_never_a_path(media_host: FakeMedia) -> None:
    medium = media_host.telegram_file(PDF, "documents/file_9.pdf")
    named = Media(reference=medium.reference, filename="..\\..\\secret/\x00presupuesto.pdf")

    fetched = fetch_one(telegram_config(media_host.base_url), named)

    assert fetched.file is not None and fetched.file.filename == "presupuesto.pdf"


def test_a_twilio_mms_is_fetched_with_basic_auth_and_its_redirect_without_it(
    media_host: FakeMedia,
) -> None:
    medium = media_host.twilio_media(PNG, "image/png")

    fetched = fetch_one(twilio_config(media_host.base_url), medium)

    assert fetched.file is not None and fetched.file.content_type == "image/png"
    assert stored_bytes(fetched) == PNG
    api, storage = media_host.requests
    assert api.headers["authorization"].startswith("Basic ")
    assert storage.path.startswith("/twilio-storage/")
    assert "authorization" not in storage.headers  # the account's token stays with Twilio


def test_twilio_credentials_go_only_to_the_accounts_api_host(media_host: FakeMedia) -> None:
    elsewhere = media_host.cdn_file(JPEG, "image/jpeg")  # a MediaUrl on another host

    fetched = fetch_one(twilio_config("https://api.twilio.com"), elsewhere)

    assert fetched.file is not None
    (request,) = media_host.requests
    assert "authorization" not in request.headers


@pytest.mark.parametrize("provider", ["messenger", "instagram"])
def test_a_meta_attachment_is_fetched_from_its_payload_url_without_credentials(
    media_host: FakeMedia, provider: str
) -> None:
    medium = media_host.cdn_file(JPEG, "image/jpeg")

    fetched = fetch_one(graph_config(provider, media_host.base_url), medium)

    assert fetched.file is not None and stored_bytes(fetched) == JPEG
    (request,) = media_host.requests
    assert "authorization" not in request.headers


# -- 100 MB and more ---------------------------------------------------------------------------


def test_a_100_mb_video_announced_by_content_length_is_refused_before_its_body(
    media_host: FakeMedia,
) -> None:
    medium = media_host.cdn_file(b"", "video/mp4", name="video.mp4")
    path = media_host.path_of(medium)
    media_host.huge[path] = 120 * MB
    named = Media(reference=medium.reference, filename="video.mp4")

    tracemalloc.start()
    try:
        fetched = fetch_one(graph_config("messenger", media_host.base_url), named)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert fetched.file is None
    assert fetched.line == "[Attachment too large to download: video.mp4 (120 MB; limit 25 MB)]"
    assert peak < 4 * MB
    assert media_host.streamed_to(path) < 10 * MB  # it stopped reading at the headers


def test_a_stream_without_a_length_is_cut_at_the_limit_and_never_held_in_memory(
    media_host: FakeMedia,
) -> None:
    medium = media_host.twilio_media(b"", "video/mp4")
    storage = media_host.twilio[media_host.path_of(medium)]
    media_host.unsized[storage] = 150 * MB

    tracemalloc.start()
    try:
        fetched = fetch_one(twilio_config(media_host.base_url), medium)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert fetched.file is None
    assert "more than 25" in fetched.line and "limit 25 MB" in fetched.line
    assert fetched.line.startswith("[Attachment too large to download: a video/mp4 file")
    assert peak < 4 * MB
    assert media_host.streamed_to(storage) < 40 * MB


def test_a_size_claimed_in_the_payload_is_refused_without_asking_the_provider(
    media_host: FakeMedia,
) -> None:
    medium = Media(reference="BQACAgQ-huge", filename="película.mkv", size=300 * MB)

    fetched = fetch_one(telegram_config(media_host.base_url), medium)

    assert fetched.line == (
        "[Attachment too large to download: película.mkv (300 MB; limit 25 MB)]"
    )
    assert media_host.requests == []


def test_a_size_claimed_by_the_whatsapp_lookup_is_refused_without_downloading(
    media_host: FakeMedia,
) -> None:
    medium = media_host.whatsapp_medium(b"x", "video/mp4", file_size=100 * MB)

    fetched = fetch_one(graph_config("whatsapp", media_host.base_url), medium)

    assert fetched.line == (
        "[Attachment too large to download: a video/mp4 file (100 MB; limit 25 MB)]"
    )
    assert len(media_host.requests) == 1  # the lookup only


def test_telegrams_own_20_mb_limit_is_named(media_host: FakeMedia, settings: Any) -> None:
    settings.ATIENDE_MAX_ATTACHMENT_BYTES = 50 * MB
    medium = media_host.telegram_file(b"", "videos/file_1.mp4", size=24 * MB)
    named = Media(reference=medium.reference, filename="clip.mp4")

    fetched = fetch_one(telegram_config(media_host.base_url), named)

    assert fetched.line == "[Attachment too large to download: clip.mp4 (limit 20 MB)]"


# -- failing providers -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [404, 500])
def test_a_download_that_fails_becomes_a_line_and_nothing_is_raised(
    media_host: FakeMedia, status: int
) -> None:
    medium = media_host.whatsapp_medium(JPEG, "image/jpeg", filename="foto.jpg")
    media_host.answer_next(200, media_host.whatsapp[medium.reference])  # the lookup
    media_host.answer_next(status, b"<html>Sorry</html>")  # the download

    fetched = fetch_one(graph_config("whatsapp", media_host.base_url), medium)

    assert fetched.line == (
        f"[Attachment could not be downloaded: foto.jpg (the provider answered HTTP {status})]"
    )


def test_a_lookup_the_provider_refuses_becomes_a_line(media_host: FakeMedia) -> None:
    medium = Media(reference="1234567890", content_type="image/jpeg")  # unknown to WhatsApp

    fetched = fetch_one(graph_config("whatsapp", media_host.base_url), medium)

    assert fetched.file is None
    assert fetched.line.startswith(
        "[Attachment could not be downloaded: a image/jpeg file (WhatsApp did not give the file"
    )
    assert "HTTP 404" in fetched.line and "Unsupported get request" in fetched.line


def test_an_unknown_telegram_file_becomes_a_line_without_the_bots_token(
    media_host: FakeMedia,
) -> None:
    fetched = fetch_one(telegram_config(media_host.base_url), Media(reference="nope"))

    assert fetched.line == (
        "[Attachment could not be downloaded: an unnamed file (Telegram did not give the file "
        "(HTTP 400: Bad Request: invalid file_id))]"
    )
    assert TOKEN not in fetched.line


@pytest.mark.parametrize("step", ["lookup", "download"])
def test_a_provider_that_does_not_answer_in_time_becomes_a_line(
    media_host: FakeMedia, settings: Any, step: str
) -> None:
    settings.ATIENDE_CHANNEL_MEDIA_TIMEOUT = 0.3
    medium = media_host.telegram_file(PDF, "documents/file_2.pdf")
    if step == "download":
        media_host.answer_next(200, {"ok": True, "result": media_host.telegram[medium.reference]})
    media_host.hang_next(10)

    fetched = fetch_one(telegram_config(media_host.base_url), medium)

    assert fetched.file is None
    assert "(the provider did not answer in time)]" in fetched.line
    assert TOKEN not in fetched.line


def test_an_answer_cut_short_becomes_a_line(media_host: FakeMedia) -> None:
    medium = media_host.cdn_file(JPEG, "image/jpeg")
    media_host.cut[media_host.path_of(medium)] = (JPEG[:100], len(JPEG))

    fetched = fetch_one(graph_config("messenger", media_host.base_url), medium)

    assert fetched.file is None
    assert fetched.line == (
        "[Attachment could not be downloaded: an unnamed file (the download was cut short)]"
    )


def test_an_unreachable_provider_becomes_a_line(media_host: FakeMedia) -> None:
    unreachable = "http://127.0.0.1:9"  # the discard port: nothing listens

    fetched = fetch_one(twilio_config(unreachable), Media(reference=f"{unreachable}/m/1"))

    assert fetched.line == (
        "[Attachment could not be downloaded: an unnamed file (the provider could not be reached)]"
    )


# -- types -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "claimed", "sniffed"),
    [
        (HTML, "image/jpeg", "text/html"),  # a web page posing as a photo
        (EXE, "application/pdf", "application/vnd.microsoft.portable-executable"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "image/svg+xml", "image/svg+xml"),
    ],
)
def test_a_medium_whose_bytes_are_of_a_refused_type_is_not_kept(
    media_host: FakeMedia, body: bytes, claimed: str, sniffed: str
) -> None:
    medium = media_host.whatsapp_medium(body, claimed, filename="archivo")

    fetched = fetch_one(graph_config("whatsapp", media_host.base_url), medium)

    assert fetched.file is None
    assert fetched.line == f"[Attachment not kept: archivo ({sniffed} files are not accepted)]"


def test_an_empty_file_is_not_kept(media_host: FakeMedia) -> None:
    medium = media_host.cdn_file(b"", "image/jpeg")

    fetched = fetch_one(graph_config("instagram", media_host.base_url), medium)

    assert fetched.line.endswith("(the file is empty)]")


# -- several media ------------------------------------------------------------------------------


def test_each_medium_has_its_own_outcome_and_the_text_names_the_missing_ones(
    media_host: FakeMedia,
) -> None:
    good = media_host.twilio_media(JPEG, "image/jpeg")
    bad = Media(reference=good.reference + "-gone", content_type="image/png")
    event = InboundMessage(
        provider_id="MM1",
        sender=Sender("sms", "+5215512345678"),
        text="Mira las fotos",
        media=(good, bad),
    )

    fetched = fetch_media(twilio_config(media_host.base_url), event.media)

    assert fetched[0].file is not None and fetched[1].file is None
    assert message_text(event, fetched) == (
        "Mira las fotos\n"
        "[Attachment could not be downloaded: a image/png file (the provider answered HTTP 404)]"
    )


def test_more_than_ten_media_in_one_message_are_named_not_fetched(media_host: FakeMedia) -> None:
    media = [media_host.cdn_file(JPEG, "image/jpeg") for _ in range(11)]

    fetched = fetch_media(graph_config("messenger", media_host.base_url), media)

    assert [item.file is not None for item in fetched] == [True] * 10 + [False]
    assert "more than 10 files in one message" in fetched[10].line
    assert len(media_host.requests) == 10


def test_a_provider_without_media_names_them(media_host: FakeMedia) -> None:
    config = AccountConfig(provider="alertmanager", settings={}, secrets={}, api_base="")

    (fetched,) = fetch_media(config, [Media(reference="x", filename="a.png")])

    assert fetched.line == (
        "[Attachment could not be downloaded: a.png (this channel does not deliver files)]"
    )

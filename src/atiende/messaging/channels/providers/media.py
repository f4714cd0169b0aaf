"""How each provider lets us download a customer's medium: pure requests, no HTTP here.

A ``contract.Media`` carries the provider's ``reference``. Some providers need one lookup
first that turns it into a download URL (``lookup``: a ``ProviderRequest`` whose answer
``locate`` reads); others give the URL itself (``lookup`` is ``None``). ``locate`` returns a
``MediaFile``: the GET that downloads the bytes (its headers go to that URL only, never to
where it redirects) and what the provider claims about them. A medium the provider will not
give raises ``MediaUnavailable`` (``MediaTooLarge`` when it says it is too big), with the
reason in words an agent reads.

The documented flows:

* **WhatsApp Cloud API** (whatsapp/cloud-api/reference/media, "Retrieve media URL" and
  "Download media"): ``GET /{version}/{media-id}?phone_number_id=…`` with the bearer token
  answers ``{"url", "mime_type", "sha256", "file_size", "id", "messaging_product"}``; the
  ``url`` (valid five minutes) is fetched with the same bearer token.
* **Telegram Bot API** (``getFile``): ``GET /bot<token>/getFile?file_id=…`` answers a ``File``
  with ``file_path``; the bytes are at ``/file/bot<token>/<file_path>``. Bots download at most
  20 MB: a bigger file is refused by ``getFile`` ("Bad Request: file is too big").
* **Twilio** (Messaging "Media subresource"): ``MediaUrl{N}`` is fetched with HTTP Basic
  authentication (account SID and auth token) when it is on the account's API host; Twilio
  answers with a redirect to its storage, which gets no credentials.
* **Messenger and Instagram** (webhook ``attachments[].payload.url``): a CDN URL, fetched as
  it is, with no credentials.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote, urlencode, urlsplit

from django.utils.translation import gettext as _

from atiende.messaging.channels.contract import (
    AccountConfig,
    Media,
    ProviderRequest,
    ProviderResponse,
)
from atiende.messaging.channels.providers import graph
from atiende.messaging.channels.providers.payload import answer_json

TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024  # what getFile serves to bots


class MediaUnavailable(Exception):
    """The provider will not give this medium; ``reason`` says why, for the agent."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MediaTooLarge(MediaUnavailable):
    """The provider says the medium is larger than it lets us download (``limit``)."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(_("The file is too large to download."))
        self.size, self.limit = size, limit


@dataclass(frozen=True)
class MediaFile:
    """Where a medium's bytes are: the GET that downloads them, and the provider's claims
    (``size`` ``0`` and empty texts when it did not say)."""

    request: ProviderRequest
    size: int = 0
    content_type: str = ""
    filename: str = ""


class MediaSource(Protocol):
    def lookup(self, config: AccountConfig, medium: Media) -> ProviderRequest | None:
        """The request that finds the medium's download URL; ``None`` when it has one."""

    def locate(
        self, config: AccountConfig, medium: Media, answer: ProviderResponse | None
    ) -> MediaFile:
        """The download, from the ``answer`` to ``lookup`` (``None`` when there was none)."""


def _get(url: str, headers: Mapping[str, str] | None = None) -> ProviderRequest:
    if urlsplit(url).scheme not in ("http", "https"):
        raise MediaUnavailable(_("The provider gave no web address for the file."))
    return ProviderRequest(method="GET", url=url, headers=dict(headers or {}), body=b"")


def _size(value: object) -> int:
    """A size the provider claims, as a number or as digits; ``0`` when it is neither."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return max(value, 0)
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value)
    return 0


class WhatsAppMedia:
    def lookup(self, config: AccountConfig, medium: Media) -> ProviderRequest | None:
        token = config.secrets.get("access_token", "")
        if not token:
            raise MediaUnavailable(_("The WhatsApp account has no access token."))
        url = graph.url(config, quote(medium.reference, safe=""))
        phone = config.settings.get("phone_number_id", "")
        if phone:
            url += "?" + urlencode({"phone_number_id": phone})
        return _get(url, {"Authorization": f"Bearer {token}", "Accept": "application/json"})

    def locate(
        self, config: AccountConfig, medium: Media, answer: ProviderResponse | None
    ) -> MediaFile:
        found = graph.success_body(answer) if answer is not None else None
        url = found.get("url") if found is not None else None
        if found is None or not isinstance(url, str) or not url:
            failed = graph.failure(answer) if answer is not None else None
            raise MediaUnavailable(
                _("WhatsApp did not give the file (%(error)s).")
                % {"error": failed.error if failed else _("no answer")}
            )
        token = config.secrets.get("access_token", "")
        mime = found.get("mime_type")
        return MediaFile(
            request=_get(url, {"Authorization": f"Bearer {token}"}),
            size=_size(found.get("file_size")),
            content_type=mime if isinstance(mime, str) else "",
        )


class TelegramMedia:
    def lookup(self, config: AccountConfig, medium: Media) -> ProviderRequest | None:
        token = _telegram_token(config)
        query = urlencode({"file_id": medium.reference})
        return _get(f"{config.api_base.rstrip('/')}/bot{token}/getFile?{query}")

    def locate(
        self, config: AccountConfig, medium: Media, answer: ProviderResponse | None
    ) -> MediaFile:
        parsed = (answer_json(answer) if answer is not None else None) or {}
        result = parsed.get("result")
        path = result.get("file_path") if isinstance(result, dict) else None
        if parsed.get("ok") is not True or not isinstance(path, str) or not path:
            description = parsed.get("description")
            words = description if isinstance(description, str) and description else ""
            if "too big" in words.lower():
                raise MediaTooLarge(medium.size, TELEGRAM_DOWNLOAD_LIMIT)
            status = f"HTTP {answer.status}" if answer is not None else _("no answer")
            raise MediaUnavailable(
                _("Telegram did not give the file (%(error)s).")
                % {"error": f"{status}: {words}" if words else status}
            )
        token = _telegram_token(config)
        url = f"{config.api_base.rstrip('/')}/file/bot{token}/{quote(path, safe='/')}"
        size = result.get("file_size") if isinstance(result, dict) else None
        return MediaFile(
            request=_get(url),
            size=_size(size) or medium.size,
            filename=path.rsplit("/", 1)[-1],
        )


def _telegram_token(config: AccountConfig) -> str:
    token = config.secrets.get("bot_token", "")
    if not token:
        raise MediaUnavailable(_("The Telegram account has no bot token."))
    return token


class TwilioMedia:
    def lookup(self, config: AccountConfig, medium: Media) -> ProviderRequest | None:
        return None

    def locate(
        self, config: AccountConfig, medium: Media, answer: ProviderResponse | None
    ) -> MediaFile:
        headers: dict[str, str] = {}
        sid, token = config.settings.get("account_sid", ""), config.secrets.get("auth_token", "")
        api_host = urlsplit(config.api_base).netloc
        if sid and token and urlsplit(medium.reference).netloc == api_host:
            # Only to Twilio's API host: ``downloads`` keeps it off the storage it redirects to.
            headers["Authorization"] = basic_auth(sid, token)
        return MediaFile(request=_get(medium.reference, headers))


def basic_auth(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


class DirectMedia:
    """A public CDN URL in the payload (Messenger, Instagram): no lookup, no credentials."""

    def lookup(self, config: AccountConfig, medium: Media) -> ProviderRequest | None:
        return None

    def locate(
        self, config: AccountConfig, medium: Media, answer: ProviderResponse | None
    ) -> MediaFile:
        return MediaFile(request=_get(medium.reference))


SOURCES: dict[str, MediaSource] = {
    "whatsapp": WhatsAppMedia(),
    "telegram": TelegramMedia(),
    "twilio_sms": TwilioMedia(),
    "messenger": DirectMedia(),
    "instagram": DirectMedia(),
}


def source(provider: str) -> MediaSource | None:
    """How ``provider``'s media are downloaded; ``None`` for a provider that sends none."""
    return SOURCES.get(provider)

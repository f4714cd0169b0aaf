"""A fake Meta Graph API on loopback, and builders of signed Meta webhooks.

`FakeGraph` (a `fake_http.FakeApi`) records every request (`requests`) and answers sends as
the real API does — WhatsApp Cloud's ``{"messages": [{"id": "wamid.…"}]}``, the Send API's
``{"recipient_id", "message_id": "m_…"}`` — unless told otherwise: `fail` (5xx), `throttle`
(429 with Graph code 4), `graph_error` (a 4xx Graph error object) or `hang` (answer only
after a delay longer than the client's time-out).

The builders write webhooks as Meta documents them (shapes and sources in the docstrings of
``providers.whatsapp`` and ``providers.meta``) and `webhook` signs them with
``X-Hub-Signature-256`` like Meta, so the tests read what production will receive.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import re
import secrets
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pytest

from atiende.messaging.channels.contract import AccountConfig, Incoming
from tests.messaging.channels.fake_http import Answer, FakeApi, Recorded, Upload, running

APP_SECRET = "s3cr3t-de-la-app"
ACCESS_TOKEN = "EAAG-token-de-prueba"
VERIFY_TOKEN = "verificame"
PHONE_NUMBER_ID = "106540352242922"
WABA_ID = "102290129340398"
PAGE_ID = "682498302938465"
IG_ID = "17841400000000000"
_SEND_PATH = re.compile(r"^/v[0-9]+\.[0-9]+/([^/]+)/messages$")
_MEDIA_PATH = re.compile(r"^/v[0-9]+\.[0-9]+/([^/]+)/media$")
_ids = itertools.count(1)


# --- the server -----------------------------------------------------------------------------


class FakeGraph(FakeApi):
    """The Graph API's ``/{version}/{id}/messages``; start with the `fake_graph` fixture and
    point ``api_base`` at `base_url`. Until told otherwise it answers as the real API does.

    WhatsApp's ``/{version}/{phone-number-id}/media`` takes a multipart upload (checked as
    the media reference documents it) and keeps it in `uploads` by the id it answers; a
    message naming a media ``id`` it never gave is refused, as Meta refuses it."""

    def __init__(self) -> None:
        super().__init__()
        self.uploads: dict[str, Upload] = {}

    def answer(self, status: int, body: Mapping[str, object] | bytes) -> None:
        """What the next send answers; then the default (success) again."""
        self.answer_next(status, body)

    def fail(self, status: int = 500) -> None:
        self.answer_next(status, b"<html><body>Service Unavailable</body></html>")

    def throttle(self, retry_after: int = 0) -> None:
        """A 429 with Graph code 4, and ``Retry-After`` when ``retry_after`` is given."""
        headers = {"Retry-After": str(retry_after)} if retry_after else {}
        self.graph_error(4, "(#4) Application request limit reached", status=429, headers=headers)

    def graph_error(
        self,
        code: int,
        message: str,
        *,
        status: int = 400,
        details: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        error: dict[str, object] = {
            "message": message,
            "type": "OAuthException",
            "code": code,
            "fbtrace_id": "AbCdEfGhIjK",
        }
        if details:
            error["error_data"] = {"messaging_product": "whatsapp", "details": details}
        self.answer_next(status, {"error": error}, headers=headers)

    def hang(self, seconds: float) -> None:
        """The next send answers only after ``seconds``: longer than a time-out."""
        self.hang_next(seconds)

    def respond(self, request: Recorded) -> Answer:
        """What the real API answers a well-formed send; a Graph error otherwise."""
        if not request.headers.get("authorization", "").startswith("Bearer "):
            return _error(401, 190, "Invalid OAuth 2.0 Access Token")
        upload = _MEDIA_PATH.match(request.path)
        if upload is not None and request.method == "POST":
            return self._upload(request)
        match = _SEND_PATH.match(request.path)
        payload = request.json
        if request.method != "POST" or match is None or not isinstance(payload, dict):
            return _error(400, 100, "Unsupported post request")
        if payload.get("messaging_product") == "whatsapp":
            unknown = self._unknown_media(payload)
            if unknown:
                return _error(400, 131053, f"Media upload error: unknown media id {unknown}")
            number = str(payload.get("to", ""))
            wamid = "wamid." + base64.b64encode(f"HBgL{number}{next(_ids)}".encode()).decode()
            body: dict[str, object] = {
                "messaging_product": "whatsapp",
                "contacts": [{"input": number, "wa_id": number.lstrip("+")}],
                "messages": [{"id": wamid}],
            }
        else:
            recipient = payload.get("recipient")
            psid = recipient.get("id", "") if isinstance(recipient, dict) else ""
            body = {"recipient_id": psid, "message_id": f"m_{secrets.token_urlsafe(24)}"}
        return Answer.json(200, body)

    def _upload(self, request: Recorded) -> Answer:
        """``POST /{phone-number-id}/media``: ``messaging_product``, ``type`` and one
        ``file`` whose type is ``type``; ``{"id": …}``."""
        product = request.form.get("messaging_product", [""])[0]
        kind = request.form.get("type", [""])[0]
        files = request.files.get("file", [])
        if product != "whatsapp" or not kind or len(files) != 1:
            return _error(400, 100, "(#100) The parameter file/type/messaging_product is required.")
        if files[0].content_type != kind or not files[0].data:
            return _error(400, 131053, "Media upload error: the file does not match its type")
        media_id = str(1_000_000_000_000 + next(_ids))
        self.uploads[media_id] = files[0]
        return Answer.json(200, {"id": media_id})

    def _unknown_media(self, payload: Mapping[str, object]) -> str:
        """The media id a message names that was never uploaded here, if any."""
        medium = payload.get(str(payload.get("type", "")))
        media_id = medium.get("id") if isinstance(medium, dict) else None
        if isinstance(media_id, str) and media_id not in self.uploads:
            return media_id
        return ""


def _error(status: int, code: int, message: str) -> Answer:
    return Answer.json(
        status, {"error": {"message": message, "type": "OAuthException", "code": code}}
    )


@pytest.fixture
def fake_graph() -> Iterator[FakeGraph]:
    yield from running(FakeGraph())


def config(
    provider: str, api_base: str = "https://graph.facebook.com", **settings: str
) -> AccountConfig:
    """An account as the adapters get it, with this module's ids and secrets."""
    defaults = {"whatsapp": {"phone_number_id": PHONE_NUMBER_ID}, "messenger": {}, "instagram": {}}
    return AccountConfig(
        provider=provider,
        settings={"verify_token": VERIFY_TOKEN, **defaults.get(provider, {}), **settings},
        secrets={"app_secret": APP_SECRET, "access_token": ACCESS_TOKEN},
        api_base=api_base,
    )


# --- signed webhooks ------------------------------------------------------------------------


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    """``X-Hub-Signature-256`` as Meta computes it."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def encode(payload: Mapping[str, object]) -> bytes:
    """JSON as Meta sends it: non-ASCII escaped (``\\u00e9``), which the signature covers."""
    return json.dumps(payload).encode()


def webhook(
    payload: Mapping[str, object] | bytes,
    *,
    secret: str = APP_SECRET,
    signature: str | None = None,
) -> Incoming:
    """A POST as Meta makes it; ``signature`` overrides the header ("" leaves it out)."""
    body = payload if isinstance(payload, bytes) else encode(payload)
    header = sign(body, secret) if signature is None else signature
    headers = {"content-type": "application/json", "user-agent": "facebookexternalua"}
    if header:
        headers["x-hub-signature-256"] = header
    return Incoming(
        method="POST", url="https://atiende.test/hooks/meta", headers=headers, body=body
    )


# WhatsApp Cloud API (webhooks/reference/messages).


def wa_envelope(*values: Mapping[str, object], field_name: str = "messages") -> dict[str, Any]:
    changes = [{"value": dict(value), "field": field_name} for value in values]
    return {"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "changes": changes}]}


def wa_value(
    *,
    messages: Sequence[Mapping[str, object]] = (),
    statuses: Sequence[Mapping[str, object]] = (),
    contacts: Sequence[Mapping[str, object]] = (),
    phone_number_id: str = PHONE_NUMBER_ID,
) -> dict[str, Any]:
    value: dict[str, object] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": phone_number_id},
    }
    if contacts:
        value["contacts"] = [dict(contact) for contact in contacts]
    if messages:
        value["messages"] = [dict(message) for message in messages]
    if statuses:
        value["statuses"] = [dict(status) for status in statuses]
    return value


def wa_contact(wa_id: str, name: str) -> dict[str, Any]:
    return {"profile": {"name": name}, "wa_id": wa_id}


def wa_message(
    kind: str,
    content: object,
    *,
    wa_id: str = "5491155550000",
    message_id: str = "",
    timestamp: str = "1749416383",
    context: str = "",
) -> dict[str, Any]:
    """A message of ``kind`` whose ``kind`` object is ``content``."""
    message: dict[str, object] = {
        "from": wa_id,
        "id": message_id or f"wamid.HBgL{next(_ids):08d}FQIAEhgUM0E=",
        "timestamp": timestamp,
        "type": kind,
        kind: content,
    }
    if context:
        message["context"] = {"from": "15550783881", "id": context}
    return message


def wa_text(body: str, **kwargs: Any) -> dict[str, Any]:
    return wa_message("text", {"body": body}, **kwargs)


def wa_status(
    message_id: str,
    status: str,
    *,
    recipient: str = "5491155550000",
    timestamp: str = "1750857384",
    errors: Sequence[Mapping[str, object]] = (),
) -> dict[str, Any]:
    found: dict[str, object] = {
        "id": message_id,
        "status": status,
        "timestamp": timestamp,
        "recipient_id": recipient,
    }
    if status in ("sent", "delivered"):
        found["conversation"] = {
            "id": "a75d17ad06104c51166f948319b03c6a",
            "origin": {"type": "service"},
        }
        found["pricing"] = {"billable": True, "pricing_model": "CBP", "category": "service"}
    if errors:
        found["errors"] = [dict(error) for error in errors]
    return found


def wa_payload(*messages: Mapping[str, object], name: str = "Begoña Núñez") -> dict[str, Any]:
    """The common case: one customer's messages, with their profile name."""
    senders = {str(message["from"]) for message in messages}
    contacts = [wa_contact(sender, name) for sender in sorted(senders)]
    return wa_envelope(wa_value(messages=messages, contacts=contacts))


# Messenger and Instagram (messenger-platform/webhooks/webhook-events/*).


def social_envelope(
    *events: Mapping[str, object], kind: str = "page", account: str = ""
) -> dict[str, Any]:
    owner = account or (PAGE_ID if kind == "page" else IG_ID)
    entry = {"id": owner, "time": 1518479195594, "messaging": [dict(event) for event in events]}
    return {"object": kind, "entry": [entry]}


def social_event(
    key: str,
    content: Mapping[str, object],
    *,
    sender: str = "24850293784975",
    recipient: str = PAGE_ID,
    timestamp: int = 1518479195308,
) -> dict[str, Any]:
    return {
        "sender": {"id": sender},
        "recipient": {"id": recipient},
        "timestamp": timestamp,
        key: dict(content),
    }


def social_message(
    text: str = "",
    *,
    mid: str = "",
    attachments: Sequence[Mapping[str, object]] = (),
    reply_to: str = "",
    **kwargs: Any,
) -> dict[str, Any]:
    message: dict[str, object] = {"mid": mid or f"m_{next(_ids):06d}Aa-bCdEfGh"}
    if text:
        message["text"] = text
    if attachments:
        message["attachments"] = [dict(attachment) for attachment in attachments]
    if reply_to:
        message["reply_to"] = {"mid": reply_to}
    return social_event("message", message, **kwargs)

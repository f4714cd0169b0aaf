"""A fake Twilio Messages API on loopback, and webhooks signed as Twilio signs them.

`FakeTwilio` answers ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` like Twilio:
HTTP Basic auth of the account, ``201`` with a Message resource, or Twilio's error body
``{code, message, more_info, status}`` (20003, 21211, 21602, 21603, 21604, 21610, 21617).

`webhook` builds the `Incoming` of a form POST signed with ``twilio_signature`` — the
adapters' own, which ``test_twilio`` checks against the worked example of Twilio's "Webhooks
security" page; `inbound_sms` and `status_callback` give the
parameters Twilio documents for an incoming message and a status callback.
"""

from __future__ import annotations

import base64
import itertools
from collections.abc import Iterator, Mapping, Sequence
from email.utils import formatdate
from typing import Any
from urllib.parse import urlencode

import pytest

from atiende.messaging.channels.contract import AccountConfig, Incoming
from atiende.messaging.channels.providers.twilio_signature import twilio_signature
from tests.messaging.channels.fake_http import Answer, FakeApi, Recorded, running

ACCOUNT_SID = "AC" + "a1b2c3d4" * 4
AUTH_TOKEN = "f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c3"
OUR_NUMBER = "+15557650000"
CUSTOMER = "+5215512345678"  # a Mexican mobile
WEBHOOK_URL = "https://helpdesk.example/hooks/twilio/3/?channel=sms"
SERVICE_SID = "MG" + "0f1e2d3c" * 4


class FakeTwilio(FakeApi):
    """The Messages resource of one account; ``unsubscribed`` numbers answer 21610."""

    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN) -> None:
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.unsubscribed: set[str] = set()
        self._ids = itertools.count(1)

    def respond(self, request: Recorded) -> Answer:
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {credentials}":
            return twilio_error(401, 20003, "Authenticate")
        if request.path != f"/2010-04-01/Accounts/{self.account_sid}/Messages.json":
            return twilio_error(404, 20404, "The requested resource was not found")
        form = request.form
        to = form.get("To", [""])[0]
        sender = form.get("From", [""])[0]
        service = form.get("MessagingServiceSid", [""])[0]
        body = form.get("Body", [""])[0]
        media = form.get("MediaUrl", [])
        if not to:
            return twilio_error(400, 21604, "A 'To' phone number is required.")
        if not to.startswith("+") or not to[1:].isdigit():
            return twilio_error(400, 21211, f"Invalid 'To' Phone Number: {to}")
        if not sender and not service:
            return twilio_error(400, 21603, "A 'From' phone number is required.")
        if not body and not media:
            return twilio_error(400, 21602, "Message body is required.")
        if any(not url.startswith(("https://", "http://")) for url in media):
            return twilio_error(400, 21620, "Invalid media URL(s).")
        if len(body) > 1600:
            return twilio_error(
                400, 21617, "The concatenated message body exceeds the 1600 character limit."
            )
        if to in self.unsubscribed:
            return twilio_error(400, 21610, "Attempt to send to unsubscribed recipient")
        sid = ("MM" if media else "SM") + f"{next(self._ids):032x}"
        now = formatdate(usegmt=True)
        return Answer.json(
            201,
            {
                "account_sid": self.account_sid,
                "api_version": "2010-04-01",
                "body": body,
                "date_created": now,
                "date_sent": None,
                "date_updated": now,
                "direction": "outbound-api",
                "error_code": None,
                "error_message": None,
                "from": sender or None,
                "messaging_service_sid": service or None,
                "num_media": str(len(media)),
                "num_segments": "1",
                "price": None,
                "price_unit": "USD",
                "sid": sid,
                "status": "accepted" if service else "queued",
                "subresource_uris": {
                    "media": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}/Media.json"
                },
                "to": to,
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
            },
        )


def twilio_error(status: int, code: int, message: str) -> Answer:
    """Twilio's documented REST error body."""
    return Answer.json(status, twilio_error_body(status, code, message))


def twilio_error_body(status: int, code: int, message: str) -> dict[str, object]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


@pytest.fixture(name="twilio_api")
def twilio_api_fixture() -> Iterator[FakeTwilio]:
    yield from running(FakeTwilio())


def twilio_config(api_base: str = "https://api.twilio.com", **settings: str) -> AccountConfig:
    return AccountConfig(
        provider="twilio_sms",
        settings={"account_sid": ACCOUNT_SID, "from_number": OUR_NUMBER, **settings},
        secrets={"auth_token": AUTH_TOKEN},
        api_base=api_base,
    )


# -- webhooks -------------------------------------------------------------------------------


def webhook(
    params: Mapping[str, str] | Sequence[tuple[str, str]],
    *,
    url: str = WEBHOOK_URL,
    auth_token: str = AUTH_TOKEN,
    signed_url: str | None = None,
    signature: str | None = None,
    sign: bool = True,
) -> Incoming:
    """The form POST Twilio makes to ``url``, signed over ``signed_url`` (default: ``url``)."""
    pairs = list(params.items()) if isinstance(params, Mapping) else list(params)
    headers = {
        "content-type": "application/x-www-form-urlencoded",
        "user-agent": "TwilioProxy/1.1",
        "i-twilio-idempotency-token": "5c3e0f6e-7f4f-4a16-8e1d-1b7c1d7d2f1a",
    }
    if sign:
        headers["x-twilio-signature"] = signature or twilio_signature(
            auth_token, signed_url or url, pairs
        )
    return Incoming(method="POST", url=url, headers=headers, body=urlencode(pairs).encode())


_sids = itertools.count(1)


def message_sid(prefix: str = "SM") -> str:
    return f"{prefix}{next(_sids):032x}"


def inbound_sms(body: str = "Hola, necesito ayuda", **extra: str) -> dict[str, str]:
    """The parameters of Twilio's request for an incoming SMS, as documented."""
    sid = message_sid()
    return {
        "ToCountry": "US",
        "ToState": "CA",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "SAN FRANCISCO",
        "FromZip": "",
        "SmsSid": sid,
        "FromState": "CDMX",
        "SmsStatus": "received",
        "FromCity": "",
        "Body": body,
        "FromCountry": "MX",
        "To": OUR_NUMBER,
        "ToZip": "94105",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": CUSTOMER,
        "ApiVersion": "2010-04-01",
        **extra,
    }


def inbound_mms(body: str, media: Sequence[tuple[str, str]]) -> dict[str, str]:
    """An MMS: ``media`` as (content type, media SID) pairs, URLs as Twilio gives them."""
    fields = inbound_sms(body)
    sid = message_sid("MM")
    fields.update(MessageSid=sid, SmsSid=sid, SmsMessageSid=sid, NumMedia=str(len(media)))
    for n, (content_type, media_sid) in enumerate(media):
        fields[f"MediaContentType{n}"] = content_type
        fields[f"MediaUrl{n}"] = (
            f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}"
            f"/Messages/{sid}/Media/{media_sid}"
        )
    return fields


def status_callback(sid: str, status: str, **extra: Any) -> dict[str, str]:
    """A status callback for the message ``sid`` we sent, as documented."""
    return {
        "SmsSid": sid,
        "SmsStatus": status,
        "MessageStatus": status,
        "To": CUSTOMER,
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": OUR_NUMBER,
        "ApiVersion": "2010-04-01",
        **{name: str(value) for name, value in extra.items()},
    }

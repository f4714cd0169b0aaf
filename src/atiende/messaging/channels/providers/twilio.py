"""SMS and MMS through Twilio's Programmable Messaging API (and APIs that copy it).

Follows Twilio's documentation:

* Webhooks are ``application/x-www-form-urlencoded`` POSTs ("Twilio's request to your incoming
  message Webhook URL"): ``MessageSid``, ``AccountSid``, ``From``, ``To``, ``Body``,
  ``NumMedia`` with ``MediaUrl{N}`` / ``MediaContentType{N}``, geography fields … Status
  callbacks ("Outbound Message Status in Status Callbacks") add ``MessageStatus`` (``queued``,
  ``sending``, ``sent``, ``delivered``, ``undelivered``, ``failed``, ``read`` …) and, on
  failure, ``ErrorCode``. Neither carries a timestamp: the time is when we received it.
* ``X-Twilio-Signature`` ("Webhooks security"): base64 of HMAC-SHA1, keyed with the auth token,
  over the full URL Twilio called followed by every POST parameter sorted by name, each name
  and value concatenated with no separator. Like Twilio's own SDK validators, the URL is
  tried with and without its default port (Twilio's signer is inconsistent about it); any
  other difference (scheme, host, path, query) is a different URL. ``twilio_signature``
  computes it, shared with the voice webhooks.
* Sending is ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` with HTTP Basic auth:
  ``201`` and the Message resource (``sid``), or an error ``{code, message, more_info,
  status}``.

Left out: the ``X-Twilio-Webhooks-Signature-Settings`` HMAC-SHA256 variant (Webhook Rules)
and JSON webhooks signed through ``bodySHA256``; WhatsApp through Twilio (``whatsapp:``
addresses) belongs to another adapter. Twilio media URLs may need the account's Basic auth to
download (when "HTTP Basic Authentication for media" is on): the intake's business.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.utils.translation import gettext as _

from atiende.messaging.channels.contract import (
    AccountConfig,
    DeliveryState,
    DeliveryUpdate,
    Event,
    InboundMessage,
    Incoming,
    Media,
    OutboundMessage,
    PayloadError,
    ProviderRequest,
    ProviderResponse,
    Sender,
    SendResult,
    SignatureError,
)
from atiende.messaging.channels.providers.twilio_signature import signature_matches

SIGNATURE_HEADER = "X-Twilio-Signature"
MAX_BODY = 1024 * 1024  # a webhook is a few KB
MAX_FIELDS = 500
BODY_LIMIT = 1600  # Twilio concatenates segments up to 1600 characters, then refuses
MEDIA_LIMIT = 10  # MediaUrl may repeat up to 10 times
API_VERSION = "2010-04-01"

STATES = {
    "accepted": DeliveryState.QUEUED,
    "scheduled": DeliveryState.QUEUED,
    "queued": DeliveryState.QUEUED,
    "sending": DeliveryState.QUEUED,
    "sent": DeliveryState.SENT,
    "delivered": DeliveryState.DELIVERED,
    "read": DeliveryState.READ,
    "undelivered": DeliveryState.FAILED,
    "failed": DeliveryState.FAILED,
    "canceled": DeliveryState.FAILED,
}
INBOUND_STATES = ("received", "receiving")
# Twilio's titles of the delivery errors a helpdesk meets most (twilio.com/docs/api/errors),
# for callbacks that carry only ``ErrorCode``.
ERROR_TITLES = {
    "21610": "Attempt to send to unsubscribed recipient",
    "21614": "'To' number is not a valid mobile number",
    "30001": "Queue overflow",
    "30002": "Account suspended",
    "30003": "Unreachable destination handset",
    "30004": "Message blocked",
    "30005": "Unknown destination handset",
    "30006": "Landline or unreachable carrier",
    "30007": "Message filtered",
    "30008": "Unknown error",
    "30032": "Toll-free number has not been verified",
    "30034": "Message from an unregistered number",
}


class TwilioSms:
    """The pure half of SMS through Twilio (see the module docstring for the shapes).

    ``config.settings``: ``account_sid``, and ``from_number`` (E.164) or
    ``messaging_service_sid``; optionally ``status_callback_url``. ``config.secrets``:
    ``auth_token``.
    """

    provider = "twilio_sms"
    channel = "sms"

    def verify(self, config: AccountConfig, incoming: Incoming) -> None:
        """Recompute ``X-Twilio-Signature`` over the exact URL and the POST parameters."""
        token = config.secrets.get("auth_token", "")
        given = incoming.header(SIGNATURE_HEADER)
        if not token:
            raise SignatureError(_("The Twilio account has no auth token."))
        if not given:
            raise SignatureError(
                _("The request has no %(header)s header.") % {"header": SIGNATURE_HEADER}
            )
        if incoming.method.upper() == "POST":
            try:
                params = _pairs(incoming.body)
            except PayloadError as error:
                raise SignatureError(str(error)) from error
        else:
            params = []  # GET: the parameters are in the signed URL's query
        if not signature_matches(token, incoming.url, params, given):
            raise SignatureError(_("The Twilio signature does not match."))

    def read(self, config: AccountConfig, incoming: Incoming) -> list[Event]:
        """An incoming SMS/MMS, or a status callback for a message we sent."""
        if incoming.method.upper() == "POST":
            _check_content_type(incoming.header("Content-Type"))
            fields = _fields(_pairs(incoming.body))
        else:
            fields = dict(incoming.query)
        status = fields.get("MessageStatus", "")
        if status and status not in INBOUND_STATES:
            return [_delivery(fields, status, incoming)]
        return [_inbound(fields, incoming)]

    def send_request(self, config: AccountConfig, message: OutboundMessage) -> ProviderRequest:
        """Create a Message resource. Raises ``ValueError`` for what Twilio would refuse.

        Text over 1600 characters is refused, never cut: the agent shortens it or sends it
        in parts. Twilio has no templates for SMS; ``template`` is ignored.
        """
        account = _setting(config.settings, "account_sid")
        token = _setting(config.secrets, "auth_token")
        if len(message.text) > BODY_LIMIT:
            raise ValueError(
                _("The message is %(length)d characters long; an SMS takes at most %(limit)d.")
                % {"length": len(message.text), "limit": BODY_LIMIT}
            )
        if not message.text and not message.media:
            raise ValueError(_("The message has neither text nor attachments."))
        if len(message.media) > MEDIA_LIMIT:
            raise ValueError(
                _("An MMS carries at most %(limit)d attachments.") % {"limit": MEDIA_LIMIT}
            )
        form: list[tuple[str, str]] = [("To", message.to)]
        service = config.settings.get("messaging_service_sid", "")
        if service:
            form.append(("MessagingServiceSid", service))
        else:
            form.append(("From", _setting(config.settings, "from_number")))
        if message.text:
            form.append(("Body", message.text))
        form.extend(("MediaUrl", item.reference) for item in message.media)
        callback = config.settings.get("status_callback_url", "")
        if callback:
            form.append(("StatusCallback", callback))
        credentials = base64.b64encode(f"{account}:{token}".encode()).decode("ascii")
        return ProviderRequest(
            method="POST",
            url=f"{config.api_base.rstrip('/')}/{API_VERSION}/Accounts/{account}/Messages.json",
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "Accept": "application/json",
            },
            body=urlencode(form).encode("ascii"),
        )

    def send_result(self, response: ProviderResponse) -> SendResult:
        """``201`` with ``sid``; errors keep Twilio's code and message; 429 and 5xx retry."""
        try:
            answer = json.loads(response.body)
        except (ValueError, RecursionError):
            answer = None
        if not isinstance(answer, dict):
            answer = {}
        sid = answer.get("sid")
        if 200 <= response.status < 300:
            if isinstance(sid, str) and sid:
                return SendResult(provider_id=sid)
            return SendResult(error=_("Twilio accepted the message but returned no sid."))
        code, text, more = answer.get("code"), answer.get("message"), answer.get("more_info")
        error = f"{code} {text}" if code is not None and isinstance(text, str) else ""
        error = error or f"HTTP {response.status}"
        if isinstance(more, str) and more:
            error += f" ({more})"
        return SendResult(error=error, retry=response.status == 429 or response.status >= 500)


def _pairs(body: bytes) -> list[tuple[str, str]]:
    if len(body) > MAX_BODY:
        raise PayloadError(_("The webhook is larger than Twilio sends."), field="body")
    try:
        text = body.decode("utf-8")
        return parse_qsl(
            text,
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except ValueError as error:  # UnicodeDecodeError, or too many fields
        raise PayloadError(
            _("The webhook is not form data: %(error)s") % {"error": error}, field="body"
        ) from error


def _fields(pairs: list[tuple[str, str]]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields and fields[name] != value:
            raise PayloadError(_("%(field)s is given twice.") % {"field": name}, field=name)
        fields[name] = value
    return fields


def _check_content_type(content_type: str) -> None:
    kind = content_type.split(";")[0].strip().lower()
    if kind and kind != "application/x-www-form-urlencoded":
        raise PayloadError(
            _("The webhook is %(type)s, not form data.") % {"type": kind}, field="content-type"
        )


def _required(fields: Mapping[str, str], name: str) -> str:
    value = fields.get(name, "").strip()
    if not value:
        raise PayloadError(_("%(field)s is missing.") % {"field": name}, field=name)
    return value


def _inbound(fields: Mapping[str, str], incoming: Incoming) -> InboundMessage:
    sid = fields.get("MessageSid") or fields.get("SmsSid") or ""
    if not sid.strip():
        raise PayloadError(_("%(field)s is missing.") % {"field": "MessageSid"}, field="MessageSid")
    sender = _required(fields, "From")
    count_text = fields.get("NumMedia", "0").strip() or "0"
    if not count_text.isascii() or not count_text.isdigit() or int(count_text) > MEDIA_LIMIT:
        raise PayloadError(
            _("%(field)s must be a number from 0 to %(limit)d.")
            % {"field": "NumMedia", "limit": MEDIA_LIMIT},
            field="NumMedia",
        )
    media = []
    for n in range(int(count_text)):
        url = _required(fields, f"MediaUrl{n}")
        if urlsplit(url).scheme not in ("https", "http"):
            raise PayloadError(
                _("%(field)s is not a web address.") % {"field": f"MediaUrl{n}"},
                field=f"MediaUrl{n}",
            )
        media.append(Media(reference=url, content_type=fields.get(f"MediaContentType{n}", "")))
    return InboundMessage(
        provider_id=sid.strip(),
        sender=Sender(channel="sms", address=sender),
        text=fields.get("Body", ""),
        sent_at=incoming.received_at,
        media=tuple(media),
    )


def _delivery(fields: Mapping[str, str], status: str, incoming: Incoming) -> DeliveryUpdate:
    state = STATES.get(status)
    if state is None:
        raise PayloadError(
            _("%(field)s %(value)s is not a documented status.")
            % {"field": "MessageStatus", "value": status[:40]},
            field="MessageStatus",
        )
    sid = fields.get("MessageSid") or fields.get("SmsSid") or ""
    if not sid.strip():
        raise PayloadError(_("%(field)s is missing.") % {"field": "MessageSid"}, field="MessageSid")
    reason = ""
    code = fields.get("ErrorCode", "").strip()
    if state is DeliveryState.FAILED or code:
        title = fields.get("ErrorMessage", "").strip() or ERROR_TITLES.get(code, "")
        reason = f"{code} {title}".strip() or status
    return DeliveryUpdate(
        provider_id=sid.strip(), state=state, at=incoming.received_at, reason=reason
    )


def _setting(values: Mapping[str, str], name: str) -> str:
    value = values.get(name, "")
    if not value:
        raise ValueError(_("The Twilio account has no %(name)s setting.") % {"name": name})
    return value

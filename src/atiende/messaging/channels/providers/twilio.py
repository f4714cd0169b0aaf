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
from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import urlencode

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
)
from atiende.messaging.channels.providers.fields import integer, string, web_url
from atiende.messaging.channels.providers.outbound import (
    check_length,
    check_media_count,
    media_batches,
    require_content,
)
from atiende.messaging.channels.providers.payload import answer_json, form_fields, retry_after
from atiende.messaging.channels.providers.twilio_signature import (
    SIGNATURE_HEADER as SIGNATURE_HEADER,
)
from atiende.messaging.channels.providers.twilio_signature import (
    request_params,
    verify_request,
)

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
        verify_request(config, incoming)

    def read(self, config: AccountConfig, incoming: Incoming) -> list[Event]:
        """An incoming SMS/MMS, or a status callback for a message we sent."""
        if incoming.method.upper() != "GET":
            _check_content_type(incoming.header("Content-Type"))
        fields = form_fields(request_params(incoming), conflicts=False)
        status = fields.get("MessageStatus", "")
        if status and status not in INBOUND_STATES:
            return [_delivery(fields, status, incoming)]
        return [_inbound(fields, incoming)]

    def split(self, message: OutboundMessage) -> list[OutboundMessage]:
        """More attachments than an MMS carries (``MEDIA_LIMIT``) go in several messages, the
        text with the first. The text itself is never split: over ``BODY_LIMIT`` it is
        refused, and the agent shortens it."""
        return media_batches(message, MEDIA_LIMIT)

    def send_request(self, config: AccountConfig, message: OutboundMessage) -> ProviderRequest:
        """Create a Message resource. Raises ``MessageRejected`` for what Twilio would refuse
        (``ValueError`` for an account without its settings).

        Text over 1600 characters is refused, never cut: the agent shortens it or sends it
        in parts. Twilio has no templates for SMS; ``template`` is ignored.
        """
        account = _setting(config.settings, "account_sid")
        token = _setting(config.secrets, "auth_token")
        check_length(message.text, BODY_LIMIT, "SMS")
        require_content(replace(message, template=""))
        check_media_count(message, MEDIA_LIMIT, "MMS")
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
        """``201`` with ``sid``; errors keep Twilio's code and message; 429 and 5xx retry (a
        429 after its ``Retry-After``)."""
        answer = answer_json(response) or {}
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
        return SendResult(
            error=error,
            retry=response.status == 429 or response.status >= 500,
            retry_after=retry_after(response) if response.status == 429 else 0,
        )


def _check_content_type(content_type: str) -> None:
    kind = content_type.split(";")[0].strip().lower()
    if kind and kind != "application/x-www-form-urlencoded":
        raise PayloadError(
            _("The webhook is %(type)s, not form data.") % {"type": kind}, field="content-type"
        )


def _sid(fields: Mapping[str, str]) -> str:
    """The message's SID: ``MessageSid``, or the older ``SmsSid``."""
    return string(fields, "MessageSid") or string(
        fields, "SmsSid", field="MessageSid", required=True
    )


def _inbound(fields: Mapping[str, str], incoming: Incoming) -> InboundMessage:
    sid = _sid(fields)
    sender = string(fields, "From", required=True)
    media = []
    for n in range(integer(fields, "NumMedia", maximum=MEDIA_LIMIT)):
        string(fields, f"MediaUrl{n}", required=True)
        url = web_url(fields, f"MediaUrl{n}")
        media.append(Media(reference=url, content_type=fields.get(f"MediaContentType{n}", "")))
    return InboundMessage(
        provider_id=sid,
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
    sid = _sid(fields)
    reason = ""
    code = fields.get("ErrorCode", "").strip()
    if state is DeliveryState.FAILED or code:
        title = fields.get("ErrorMessage", "").strip() or ERROR_TITLES.get(code, "")
        reason = f"{code} {title}".strip() or status
    return DeliveryUpdate(provider_id=sid, state=state, at=incoming.received_at, reason=reason)


def _setting(values: Mapping[str, str], name: str) -> str:
    value = values.get(name, "")
    if not value:
        raise ValueError(_("The Twilio account has no %(name)s setting.") % {"name": name})
    return value

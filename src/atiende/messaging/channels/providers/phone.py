"""Phone calls (channel "phone"): Twilio voice callbacks, and our JSON for any PBX.

Each webhook is one step of a call (``CallEvent``); ``call_id`` ties the steps together so
the intake logs a missed call as a ticket and an answered one as activity on the caller's
ticket. Numbers are normalised to E.164 where the payload allows it (``normalise_number``).
The PBX recipes (Asterisk, FreeSWITCH) are in ``docs/admin/phone.md``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from django.utils.translation import gettext as _

from atiende.messaging.channels.contract import (
    AccountConfig,
    CallEvent,
    CallState,
    Event,
    Incoming,
    PayloadError,
)
from atiende.messaging.channels.providers.fields import (
    MAX_ID_LENGTH,
    Fields,
    identifier,
    integer,
    string,
    timestamp,
    web_url,
)
from atiende.messaging.channels.providers.payload import form_fields, json_or_form
from atiende.messaging.channels.providers.receiving import verify_shared_token
from atiende.messaging.channels.providers.twilio_signature import request_params, verify_request

MAX_CALL_SECONDS = 7 * 24 * 3600

_SEPARATORS = re.compile(r"[\s\-.()/\u00a0]")
_NUMBER = re.compile(r"\+?[0-9]{3,15}")


def normalise_number(raw: str) -> str:
    """A phone number as E.164 when it can tell, else as it came.

    Without the ``phonenumbers`` package (not a dependency) this is deliberately simple:
    spaces, dashes, dots, slashes and parentheses go, a leading ``+`` stays, an international
    ``00`` prefix becomes ``+``. A national number (no ``+`` nor ``00``) stays national: which
    country it belongs to is not ours to guess. SIP URIs, ``client:`` identities and words
    ("anonymous", "Restricted") are kept as they are.
    """
    value = raw.strip()
    compact = _SEPARATORS.sub("", value)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if _NUMBER.fullmatch(compact):
        return compact
    return value


# --- Twilio ----------------------------------------------------------------------------------

_TWILIO_DIRECTIONS = {"inbound": "inbound", "outbound-api": "outbound", "outbound-dial": "outbound"}
_TWILIO_UNANSWERED = frozenset({"busy", "no-answer", "canceled", "failed"})
_TWILIO_NOT_YET = frozenset({"queued", "initiated"})
_RECORDING_NOT_READY = frozenset({"in-progress", "absent", "failed"})


def _rfc2822(value: str, *, field: str) -> datetime | None:
    """Twilio's ``Timestamp``, RFC 2822 ("Mon, 16 Aug 2010 03:45:01 +0000"), made aware;
    an ISO 8601 one is read too."""
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return timestamp(value, field=field)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class TwilioVoice:
    """Twilio voice webhooks, form-encoded: the incoming-call webhook and call status
    callbacks (CallSid, CallStatus, From, To, Direction, CallDuration, Timestamp, and
    RecordingUrl when the call was recorded), and recording status callbacks (CallSid,
    RecordingSid, RecordingUrl, RecordingStatus). Checked with ``X-Twilio-Signature`` and the
    account's ``auth_token``.

    A status that is not an answer (busy, no-answer, canceled, failed) is a MISSED inbound
    call, and an outbound one that ENDED after 0 seconds; queued/initiated say nothing yet. A
    finished recording reads as RECORDED with its ``recording_url``: the call's end is the
    status callback's to say, with its duration.
    """

    provider = "twilio_voice"
    channel = "phone"

    def verify(self, config: AccountConfig, incoming: Incoming) -> None:
        verify_request(config, incoming)

    def read(self, config: AccountConfig, incoming: Incoming) -> list[Event]:
        fields = form_fields(request_params(incoming))
        call_id = identifier(fields, "CallSid")
        status = string(fields, "CallStatus", max_length=32).lower()
        if not status:
            return self._recording(fields, call_id)
        direction = string(fields, "Direction", max_length=32).lower() or "inbound"
        if direction not in _TWILIO_DIRECTIONS:
            raise PayloadError(_("“Direction” is not a Twilio call direction."), field="Direction")
        ours = _TWILIO_DIRECTIONS[direction]
        if status in _TWILIO_NOT_YET:
            return []
        if status == "ringing":
            state = CallState.RINGING
        elif status == "in-progress":
            state = CallState.ANSWERED
        elif status == "completed":
            state = CallState.ENDED
        elif status in _TWILIO_UNANSWERED:
            state = CallState.MISSED if ours == "inbound" else CallState.ENDED
        else:
            raise PayloadError(_("“CallStatus” is not a Twilio call status."), field="CallStatus")
        caller = normalise_number(identifier(fields, "From", required=False))
        called = normalise_number(identifier(fields, "To", required=False))
        agent = next(
            (side[len("client:") :] for side in (called, caller) if side.startswith("client:")), ""
        )
        return [
            CallEvent(
                call_id=call_id,
                state=state,
                caller=caller,
                called=called,
                agent=agent,
                direction=ours,
                duration=(
                    integer(fields, "CallDuration", maximum=MAX_CALL_SECONDS)
                    if state is CallState.ENDED
                    else 0
                ),
                recording_url=web_url(fields, "RecordingUrl"),
                at=_rfc2822(string(fields, "Timestamp", max_length=64), field="Timestamp"),
            )
        ]

    def _recording(self, fields: Fields, call_id: str) -> list[Event]:
        recording = string(fields, "RecordingStatus", max_length=32).lower()
        if not recording and not string(fields, "RecordingSid"):
            raise PayloadError(_("“CallStatus” is missing or empty."), field="CallStatus")
        if recording in _RECORDING_NOT_READY:
            return []
        if recording not in {"", "completed"}:
            raise PayloadError(
                _("“RecordingStatus” is not a Twilio recording status."), field="RecordingStatus"
            )
        url = web_url(fields, "RecordingUrl")
        if not url:
            raise PayloadError(_("“RecordingUrl” is missing or empty."), field="RecordingUrl")
        return [CallEvent(call_id=call_id, state=CallState.RECORDED, caller="", recording_url=url)]


# --- any PBX ---------------------------------------------------------------------------------

_PBX_EVENTS = {
    "ringing": CallState.RINGING,
    "answered": CallState.ANSWERED,
    "hangup": CallState.ENDED,
    "missed": CallState.MISSED,
}


class GenericPbx:
    """Our JSON (or the same fields form-encoded, which a dialplan posts more easily) for
    Asterisk, FreeSWITCH or any PBX: ``{call_id, event, caller, called, agent, direction,
    duration, recording_url, timestamp}``. ``event`` is ringing, answered, hangup or missed;
    ``direction`` inbound (the default) or outbound; ``duration`` whole seconds;
    ``timestamp`` ISO 8601 or Unix seconds. Checked like the alerts: bearer, Basic or
    ``X-Atiende-Signature`` with the account's ``token``."""

    provider = "generic_pbx"
    channel = "phone"

    def verify(self, config: AccountConfig, incoming: Incoming) -> None:
        verify_shared_token(config, incoming)

    def read(self, config: AccountConfig, incoming: Incoming) -> list[Event]:
        data = json_or_form(incoming)
        call_id = identifier(data, "call_id")
        event = string(data, "event", required=True, max_length=32).lower()
        if event not in _PBX_EVENTS:
            raise PayloadError(
                _("“event” is not one of ringing, answered, hangup or missed."), field="event"
            )
        direction = string(data, "direction", max_length=32).lower() or "inbound"
        if direction not in {"inbound", "outbound"}:
            raise PayloadError(_("“direction” is neither inbound nor outbound."), field="direction")
        return [
            CallEvent(
                call_id=call_id,
                state=_PBX_EVENTS[event],
                caller=normalise_number(identifier(data, "caller", required=False)),
                called=normalise_number(identifier(data, "called", required=False)),
                agent=string(data, "agent", max_length=MAX_ID_LENGTH, numbers=True),
                direction=direction,
                duration=integer(data, "duration", maximum=MAX_CALL_SECONDS),
                recording_url=web_url(data, "recording_url"),
                at=timestamp(data.get("timestamp"), field="timestamp"),
            )
        ]

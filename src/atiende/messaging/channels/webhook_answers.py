"""What the webhook endpoint answers a provider once its request is stored, by provider.

Most providers only need a 2xx (`answer_for` gives ``None``: an empty 200). Twilio reads the
answer as TwiML (https://www.twilio.com/docs/voice/twiml, …/messaging/twiml):

- an incoming SMS: an empty ``<Response/>`` — no automatic reply (the agent answers);
- a call (the number's "A call comes in" webhook): ``<Response/>`` hangs up, so an account may
  say a text first (setting ``voice_say``, in ``voice_language``, e.g. ``es-ES``) and forward
  the call (``voice_dial``: an E.164 number or a ``sip:`` address) to the PBX or a desk phone.
  Twilio ignores the answer to status and recording callbacks, so the same URL serves both.

Settings that do not read (a ``voice_dial`` that is no number) are left out rather than
answered as broken TwiML, which Twilio would read to the caller as an application error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from atiende.messaging.models import ChannelAccount

TWIML = "text/xml"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
EMPTY_TWIML = f"{XML_DECLARATION}<Response></Response>".encode()
MAX_SAY = 1000  # characters; Twilio's <Say> reads up to 4,096
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_SIP = re.compile(r"sip:[^\s<>\"'&]{3,250}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Z]{2})?")


@dataclass(frozen=True)
class WebhookAnswer:
    body: bytes
    content_type: str


def answer_for(account: ChannelAccount) -> WebhookAnswer | None:
    """The body to answer ``account``'s provider with; ``None`` for an empty 200."""
    if account.provider == "twilio_sms":
        return WebhookAnswer(EMPTY_TWIML, TWIML)
    if account.provider == "twilio_voice":
        settings = account.settings if isinstance(account.settings, dict) else {}
        return WebhookAnswer(voice_twiml(settings), TWIML)
    return None


def voice_twiml(settings: Mapping[str, object]) -> bytes:
    """``<Response>`` with the account's ``<Say>`` and ``<Dial>``, each when set and valid."""
    verbs: list[str] = []
    say = " ".join(str(settings.get("voice_say") or "").split())[:MAX_SAY]
    if say:
        language = str(settings.get("voice_language") or "").strip()
        attribute = f" language={quoteattr(language)}" if _LANGUAGE.fullmatch(language) else ""
        verbs.append(f"<Say{attribute}>{escape(say)}</Say>")
    dial = str(settings.get("voice_dial") or "").strip()
    if _E164.fullmatch(dial):
        verbs.append(f"<Dial>{dial}</Dial>")
    elif _SIP.fullmatch(dial):
        verbs.append(f"<Dial><Sip>{escape(dial)}</Sip></Dial>")
    return f"{XML_DECLARATION}<Response>{''.join(verbs)}</Response>".encode()

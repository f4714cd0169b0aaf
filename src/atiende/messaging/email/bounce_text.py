"""Bounces without a delivery-status part: the plain-text reports of Exim/cPanel, qmail, and
Postfix or Exchange set up without DSN.

Read only when the sender is a mail system (``MAILER-DAEMON``, ``postmaster``, "Mail Delivery
System") *and* the subject or the body says the mail came back, so a person writing
"undeliverable" is never taken for a bounce. The bounced Message-ID is read from the copy of
the original that these reports quote after their "copy of the message" line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_REASON = 1000
SYSTEM_SENDERS = ("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon")
SYSTEM_NAME = re.compile(r"^\s*Mail (?:Delivery )?(?:System|Subsystem|Service)\b", re.I)
FAILED_SUBJECT = re.compile(
    r"^\s*(?:Mail delivery failed|failure notice|Undelivered Mail Returned to Sender|"
    r"Undeliverable|Undelivered|Returned mail|Delivery Status Notification \(Failure\)|"
    r"Delivery failure|Mail System Error|Message not delivered|Unzustellbar|Non remis|"
    r"No se puede entregar|Mensaje no entregado|No entregado|"
    r"Notificación de estado de entrega \(error\))",
    re.I,
)
DELAYED_SUBJECT = re.compile(
    r"^\s*(?:Warning: message \S+ delayed|Delayed Mail|Delivery Status Notification \(Delay\)|"
    r"Delivery delayed)",
    re.I,
)
COPY_MARKER = re.compile(
    r"^[\s-]*(?:This is a copy of the message|Below this line is a copy of the message|"
    r"The original message was received|Original message follows|Unsent message below|"
    r"Original message headers|Message headers follow)",
    re.I | re.M,
)
QUOTED_ID = re.compile(r"^\s*Message-ID:\s*<([^>\s]+)>", re.I | re.M)
REASON_LINE = re.compile(r"@|\b[245]\.\d{1,3}\.\d{1,3}\b|\b[45]\d\d\b")


@dataclass(frozen=True)
class PlainBounce:
    message_id: str  # the bounced mail's, "" when the report quotes none
    reason: str
    delayed: bool


def plain_bounce(sender: tuple[str, str] | None, subject: str, text: str) -> PlainBounce | None:
    """The bounce a mail system reported in plain text, or None for any other message."""
    if sender is None:
        return None
    name, address = sender
    local = address.split("@")[0].strip().lower()
    if local not in SYSTEM_SENDERS and not SYSTEM_NAME.match(name):
        return None
    delayed = bool(DELAYED_SUBJECT.match(subject))
    marker = COPY_MARKER.search(text)
    if not (delayed or FAILED_SUBJECT.match(subject) or marker):
        return None
    report, copy = (text[: marker.start()], text[marker.start() :]) if marker else (text, "")
    quoted = QUOTED_ID.search(copy)
    lines = [" ".join(line.split()) for line in report.splitlines()]
    reason = " ".join(line for line in lines if line and REASON_LINE.search(line))
    return PlainBounce(
        message_id=quoted.group(1) if quoted else "",
        reason=reason[:MAX_REASON],
        delayed=delayed,
    )

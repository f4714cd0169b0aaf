"""Message-IDs that prove they came from this installation and, for mail to an agent, to whom.

Every Message-ID we give an outbound mail ends in a MAC of the rest of it, keyed by this
installation's secret: ``atiende.{ticket number}.{nonce}[.u{agent id}].{mac}@{domain}``. Only
we can make one, so a mail carrying one in Message-ID is ours (a loop), and a reply naming
one in In-Reply-To/References answers a mail we sent. The ``u{id}`` form goes only into mail
addressed to that agent: a reply that cites it is that agent answering, because nobody else
received that id and nobody can forge it for another agent or ticket (the MAC covers both).
Checking costs no query.
"""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass

from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "atiende.messaging.message-id"
MAC_BYTES = 12  # 96 bits: guessing is hopeless, and the id stays short
NONCE_BYTES = 8  # with the ticket number, unique per mail
# An id longer than a header line (78) is RFC 2047-encoded by the stdlib's folding, which
# breaks threading: the nonce and MAC are sized to keep ours well under it.
_SIGNED = re.compile(
    r"^(?P<body>atiende\.(?P<number>\d{1,18})\.[0-9a-f]{16}(?:\.u(?P<agent>\d{1,18}))?)"
    r"\.(?P<mac>[a-z2-7]{20})@(?P<domain>[^@\s<>]{1,253})$"
)


@dataclass(frozen=True)
class Signed:
    """What a verified Message-ID of ours says: the ticket number and, if any, the agent."""

    number: int
    agent_id: int | None


def new_message_id(number: int, domain: str, *, agent_id: int | None = None) -> str:
    """A fresh signed Message-ID (without angle brackets) for a mail of ticket ``number``."""
    body = f"atiende.{number}.{secrets.token_hex(NONCE_BYTES)}"
    if agent_id is not None:
        body += f".u{agent_id}"
    return f"{body}.{_mac(body, domain)}@{domain}"


def verify(message_id: str) -> Signed | None:
    """The signed content of ``message_id`` when this installation made it, else None."""
    found = _SIGNED.match(message_id.strip().strip("<>"))
    if found is None:
        return None
    expected = _mac(found["body"], found["domain"])
    if not constant_time_compare(expected, found["mac"]):
        return None
    agent = found["agent"]
    return Signed(number=int(found["number"]), agent_id=int(agent) if agent else None)


def _mac(body: str, domain: str) -> str:
    digest = salted_hmac(SALT, f"{body}@{domain.lower()}", algorithm="sha256").digest()
    return base64.b32encode(digest[:MAC_BYTES]).decode("ascii").rstrip("=").lower()

"""Whether a mail from a staff address really comes from that person.

``From:`` is whatever the sender typed, so a reply in an agent's name counts as the agent's
only with proof, one of two kinds:

- **Authenticated by the receiving server.** The mailbox names the ``authserv-id`` of the
  server that receives its mail (``Mailbox.trusted_authserv_id``); that server checks SPF,
  DKIM and DMARC and writes ``Authentication-Results`` with its id on top of the message
  (RFC 8601 §5: it removes any copy with its id that arrived with the mail). We read only
  headers with that id, the topmost per method, and require a pass *aligned* with the From
  domain: DMARC ``pass`` for it, or DKIM ``pass`` with ``header.d`` of it, or SPF ``pass`` with
  ``smtp.mailfrom`` of it. A DMARC failure there wins over everything else.
- **An answer to a mail we sent that agent.** Mail to an agent carries a Message-ID signed
  for (agent, ticket) (`messaging.email.signing`); a reply naming it in In-Reply-To or
  References is that agent answering.

Anything else from a staff address is posted as an internal note marked "sender not
verified" (`messaging.inbound.notes`), never mailed to the customer.
"""

from __future__ import annotations

from atiende.accounts.models import User
from atiende.messaging.email import authresults, signing
from atiende.messaging.email.parse import ParsedEmail
from atiende.messaging.models import Mailbox
from atiende.tickets.models import Ticket

MAX_HEADERS = 20
DMARC_FAILED = ("fail", "permerror")


def staff_proof(parsed: ParsedEmail, mailbox: Mailbox | None, author: User, ticket: Ticket) -> str:
    """How ``author``'s mail into ``ticket`` is proven theirs ("signed-reply",
    "authenticated"), or "" when it is not."""
    if signed_reply(parsed, author, ticket):
        return "signed-reply"
    trusted = mailbox.trusted_authserv_id if mailbox is not None else ""
    address = parsed.from_[1] if parsed.from_ else ""
    if trusted and authenticated(parsed.auth_results, trusted=trusted, sender=address):
        return "authenticated"
    return ""


def signed_reply(parsed: ParsedEmail, author: User, ticket: Ticket) -> bool:
    """A reply that cites a Message-ID we signed for this agent and this ticket."""
    for message_id in (parsed.in_reply_to, *parsed.references):
        signed = signing.verify(message_id) if message_id else None
        if signed and signed.agent_id == author.pk and signed.number == ticket.number:
            return True
    return False


def authenticated(headers: tuple[str, ...], *, trusted: str, sender: str) -> bool:
    """Whether the trusted server's ``Authentication-Results`` (``headers``, top first) pass
    with alignment to ``sender``'s domain."""
    domain = sender.rpartition("@")[2].strip().lower().rstrip(".")
    trusted_ids = {t.strip().lower() for t in trusted.replace(",", " ").split() if t.strip()}
    if not domain or not trusted_ids:
        return False
    verdicts: dict[str, list[authresults.Result]] = {}
    for value in headers[:MAX_HEADERS]:
        parsed = authresults.parse(value)
        if parsed is None or parsed.authserv_id not in trusted_ids:
            continue
        reported: dict[str, list[authresults.Result]] = {}
        for result in parsed.results:
            reported.setdefault(result.method, []).append(result)
        for method, results in reported.items():
            verdicts.setdefault(method, results)  # the topmost header naming a method wins
    dmarc = verdicts.get("dmarc", [])
    if any(r.result in DMARC_FAILED for r in dmarc):
        return False
    if any(
        r.result == "pass" and aligned(domain, r.properties.get("header.from", "")) for r in dmarc
    ):
        return True
    for result in verdicts.get("dkim", []):
        signer = result.properties.get("header.d") or _domain(result.properties.get("header.i", ""))
        if result.result == "pass" and aligned(domain, signer):
            return True
    return any(
        r.result == "pass" and aligned(domain, _domain(r.properties.get("smtp.mailfrom", "")))
        for r in verdicts.get("spf", [])
    )


def aligned(domain: str, other: str) -> bool:
    """Relaxed alignment without a public-suffix list: the same domain, or one a subdomain of
    the other, both with at least two labels (nobody can sign for a bare top-level domain)."""
    other = other.strip().lower().rstrip(".")
    if not other or other.count(".") < 1 or domain.count(".") < 1:
        return False
    return domain == other or domain.endswith("." + other) or other.endswith("." + domain)


def _domain(value: str) -> str:
    return value.strip().rpartition("@")[2]

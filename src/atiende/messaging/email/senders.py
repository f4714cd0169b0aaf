"""Who a message claims to be from, and whether that claim can be read one way only.

A forger's trick is a header that two programs read differently: ``From: ana@customer.test
<evil@attacker.test>``, two addresses run together, a bracketed address after another, a
folded second address, a quote or comment hiding one. The standard library's modern parser
flags these as defects but still hands back the *first* address, which is the one the forger
chose. So an address header counts only when it appears once, holds exactly the addresses
its kind allows, has no parse defect, and the strict legacy parser reads the same addresses;
anything else is reported here and the pipeline quarantines the message with the reason.
"""

from __future__ import annotations

from email import policy
from email.errors import CharsetError, HeaderDefect, UndecodableBytesDefect
from email.message import Message
from email.utils import getaddresses

from django.utils.translation import gettext as _

from atiende.messaging.email.headers import repair_8bit

CHECKED = ("From", "Sender", "Reply-To")
# Defects of a display name's bytes or charset: they change how a name reads, never which
# address the header names.
NAME_ONLY = (UndecodableBytesDefect, CharsetError)
SINGLE = ("From", "Sender")  # one mailbox each: a From with two needs a Sender; we refuse it


def sender_defects(msg: Message) -> tuple[str, ...]:
    """One line per untrustworthy address header (``"From: …"``); empty when all are sound."""
    found: list[str] = []
    for name in CHECKED:
        try:
            values = [repair_8bit(str(v)) for k, v in msg.raw_items() if k.lower() == name.lower()]
        except Exception:
            found.append(f"{name}: {_('unreadable')}")
            continue
        if not values:
            continue
        if len(values) > 1:
            times = _("appears %(count)d times") % {"count": len(values)}
            found.append(f"{name}: {times}")
            continue
        problem = _problem(name, values[0])
        if problem:
            found.append(f"{name}: {problem}")
    return tuple(found)


def _problem(name: str, value: str) -> str:
    """Why the value of header ``name`` cannot be trusted, or "" when it reads one way."""
    if "\x00" in value:
        return _("a NUL character")
    try:
        header = policy.default.header_fetch_parse(name, value)
        modern = [a.addr_spec.lower() for a in header.addresses]
        defects = [d for d in header.defects if not isinstance(d, NAME_ONLY)]
    except Exception as exc:
        return _("unparsable (%(error)s)") % {"error": type(exc).__name__}
    if defects:
        details = ", ".join(_describe(d) for d in defects[:3])
        return _("malformed (%(details)s)") % {"details": details}
    if name in SINGLE and len(modern) != 1:
        return _("%(count)d addresses where one is allowed") % {"count": len(modern)}
    strict = [a.lower() for _n, a in getaddresses([" ".join(value.split())]) if a]
    if sorted(strict) != sorted(modern):
        return _("read differently by two parsers")
    if any(a.count("@") != 1 or a.startswith("@") or a.endswith("@") for a in modern):
        return _("not an address")
    return ""


def _describe(defect: HeaderDefect) -> str:
    text = " ".join(str(defect).split())[:80]
    return text or type(defect).__name__

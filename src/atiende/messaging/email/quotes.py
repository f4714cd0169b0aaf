"""Strip quoted history and signatures from a reply, for the timeline's "new text".

The full original always stays stored; this only decides what the timeline shows first.
A reply is cut at the first *splitter*: an attribution line ("On … wrote:", "El …
escribió:"), an "-----Original Message-----" banner, or an Outlook header block ("From: …"
followed by "Sent:"/"Date:"/"To:" lines). A `>` quote right after a splitter is removed and
any text after it kept (inline answers below the quote). Without a splitter, only a trailing
`>` block of three or more lines counts as a quote. Then a "-- " signature and mobile
footers ("Sent from my iPhone", "Enviado desde mi iPhone") are dropped.
"""

from __future__ import annotations

import re

from atiende.core.html import html_to_text, sanitize_html

_WROTE = (
    r"wrote|sent|escribió|escribio|a écrit|schreef|napisał|skrev|schrieb|"
    r"het volgende geschreven|geschreven|đã viết|escreveu|ha scritto|написал|написала"
)
ATTRIBUTION = re.compile(
    rf"^[\s>]*[-_]*\s*(?:(?:On|El|Le|Op|W dniu|Am|Den|På|Vào|Em|Il)\s.*?|.*@.*?|.*?\d.*?)"
    rf"(?:{_WROTE})\s*:?\s*-*\s*$",
    re.IGNORECASE,
)
INLINE_ATTRIBUTION = re.compile(
    rf"(?:-{{2,}}\s*)?\bOn\s[^\n]{{5,}}?(?:{_WROTE}):\s*$", re.IGNORECASE
)
ANDROID = re.compile(r"^\s*-{2,}\s*.*\s(?:wrote|escribió)\s*-{2,}\s*$", re.IGNORECASE)
BANNER = re.compile(
    r"^\s*[-_]{2,}\s*(?:Original Message|Reply Message|Mensaje original|"
    r"Ursprüngliche Nachricht|Antwort Nachricht|Oprindelig meddelelse|"
    r"Message d'origine)\s*[-_]{2,}\s*$",
    re.IGNORECASE,
)
FORWARDED = re.compile(
    r"^\s*[-_]{2,}\s*(?:Forwarded message|Mensaje reenviado|Message transféré|"
    r"Weitergeleitete Nachricht)\s*[-_]{2,}\s*$",
    re.IGNORECASE,
)
_PREFIX = r"^[\s>]*[-_]*\s*(?:On|El|Le|Op|W dniu|Am|Den|På|Vào|Em|Il)\s"
ATTRIBUTION_START = re.compile(rf"{_PREFIX}|\d|@", re.IGNORECASE)
ATTRIBUTION_PREFIX = re.compile(_PREFIX, re.IGNORECASE)
ATTRIBUTION_LOOSE = re.compile(rf"{_PREFIX}.*\b(?:{_WROTE})\b.*:\s*$", re.IGNORECASE)
SEPARATOR = re.compile(r"^\s*[-_=*]{5,}\s*$")
HEADER_FIRST = re.compile(
    r"^\s*\*?(?:From|De|Von|Fra|Från|Van|Od|От|Date|Fecha)\s*\*?\s*:", re.IGNORECASE
)
HEADER_NEXT = re.compile(
    r"^\s*\*?(?:Sent|Enviado|Enviada|Gesendet|Envoyé|Sendt|Skickat|Verzonden|Date|Fecha|"
    r"Datum|To|Para|An|À|Til|Till|Aan|Subject|Asunto|Betreff|Objet|Emne|Ämne|Отправлено|Кому|"
    r"Тема)\s*\*?\s*:",
    re.IGNORECASE,
)
DATE_EMAIL = re.compile(
    r"^\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b.*(?:@|<)\S*\s*:?\s*$"
    r"|^.*\b\d{1,2}:\d{2}\b.*\S+@\S+.*:\s*$"
)
MOBILE_FOOTER = re.compile(
    r"^\s*(?:Sent from my \w+|Enviado desde mi \w+|Sent from (?:Mail|Outlook|Yahoo Mail|"
    r"Samsung Mobile|Acompli)\b|Get Outlook for \w+|Obtener Outlook para \w+)",
    re.IGNORECASE,
)
_QUOTE_CLASSES = (
    r"gmail_quote|gmail_attr|yahoo_quoted|(?:x_)?divRplyFwdMsg|(?:x_)?appendonsend|"
    r"moz-cite-prefix|OLK_SRC_BODY_SECTION|mail_android_quote|protonmail_quote|zmail_extra"
)
HTML_QUOTE = re.compile(
    rf"<div[^>]*\b(?:class|id)\s*=\s*[\"']?(?:[^\"'>]*\s)?(?:{_QUOTE_CLASSES})\b"
    r"|<blockquote[^>]*\b(?:class|id)\s*=\s*[\"']?(?:[^\"'>]*\s)?(?:yahoo_quoted|mail_android_quote)"
    r"|<blockquote[^>]*type\s*=\s*[\"']?cite|<hr\b[^>]*id\s*=\s*[\"']?stopSpelling"
    # Outlook desktop: the quoted header sits under a div with a top border.
    r"|<div[^>]*style\s*=\s*[\"'][^\"']*border-top:\s*solid[^\"']*[\"'][^>]*>\s*<p[^>]*>\s*"
    r"(?:<[^>]+>\s*)*(?:From|De|Von)\s*:",
    re.IGNORECASE,
)
TAG_START = re.compile(r"<[a-zA-Z/]")
BLOCK_START = re.compile(r"<(?:div|p|br)\b[^>]*>", re.IGNORECASE)
BLOCKQUOTE_TAG = re.compile(r"<(/?)blockquote\b[^>]*>", re.IGNORECASE)
QUOTED = re.compile(r"^\s*>")
MAX_SPLITTER_LINES = 3
MAX_ATTRIBUTION_LINES = 6


def strip_reply(text: str, *, signature: bool = False) -> str:
    """The new text of a reply: no quoted history (and with ``signature``, no "-- " block
    or mobile footer either)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept = _strip_lines(lines)
    return "\n".join(_drop_signature(kept) if signature else kept).strip()


def strip_reply_html(html: str, *, signature: bool = False) -> str:
    """The new text of an HTML reply, as plain text: cut at the client's quote container."""
    marker = HTML_QUOTE.search(html)
    if marker:
        quoted = html_to_text(sanitize_html(html[marker.start() :]))
        reply = html_to_text(sanitize_html(html[: marker.start()]))
        forwarded = any(FORWARDED.match(line) for line in quoted.splitlines()[:3])
        if reply.strip() and not forwarded:
            return strip_reply(reply, signature=signature)
    full = html_to_text(sanitize_html(html))
    cut = html_to_text(sanitize_html(_drop_last_blockquote(html)))
    if not cut.strip():  # all of it quoted: nothing tells the new text from the old
        return full.strip()
    return strip_reply(cut, signature=signature)


def _drop_last_blockquote(html: str) -> str:
    """Remove the last outermost <blockquote> (not Gmail's own class), as talon does."""
    spans: list[tuple[int, int, str]] = []
    depth = start = 0
    opening = ""
    for tag in BLOCKQUOTE_TAG.finditer(html):
        if tag.group(1) != "/":
            if depth == 0:
                start, opening = tag.start(), tag.group(0)
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                spans.append((start, tag.end(), opening))
    kept = [span for span in spans if "gmail_quote" not in span[2].lower()]
    if not kept:
        return html
    begin, end, _tag = kept[-1]
    return html[:begin] + html[end:]


def trim_reply_html(html: str, *, reply_text: str | None = None) -> str:
    """The HTML of a reply without the quoted history, for the timeline; "" when unsure.

    Cut at the mail client's quote container (Gmail, Outlook, Apple, Thunderbird), else drop
    the last outermost <blockquote>; when nothing readable is left, the caller shows the text.
    """
    if reply_text is None:
        reply_text = strip_reply_html(html, signature=True)
    reply = _squeeze(reply_text)
    marker = HTML_QUOTE.search(html)
    if reply and marker:  # the usual case: the client's container ends the new text
        head = sanitize_html(_drop_trailing_lead(html[: marker.start()]))
        if _squeeze(html_to_text(head)) == reply:
            return head
    if reply and (found := _prefix_reading(html, reply)) is not None:
        return found
    if marker:
        head = sanitize_html(_drop_trailing_lead(html[: marker.start()]))
        if html_to_text(head).strip():
            return head
    unquoted = sanitize_html(_drop_last_blockquote(html))
    return unquoted if html_to_text(unquoted).strip() else ""


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _prefix_reading(html: str, reply: str) -> str | None:
    """The longest start of ``html`` (cut before a tag) whose text is the reply's text, as
    sanitized HTML (images and rules after the last word stay); None when the reply is not
    the start of the message (inline answers)."""
    cuts = [m.start() for m in TAG_START.finditer(html)] + [len(html)]
    low, high = 0, len(cuts) - 1
    while low < high:  # the text only grows with the cut: find the last one not too long
        middle = (low + high + 1) // 2
        if len(_squeeze(html_to_text(sanitize_html(html[: cuts[middle]])))) <= len(reply):
            low = middle
        else:
            high = middle - 1
    head = sanitize_html(html[: cuts[low]])
    return head if _squeeze(html_to_text(head)) == reply else None


def _drop_trailing_lead(html: str) -> str:
    """Drop what a client puts right above its quote container: the attribution line
    ("On … wrote:", "El … escribió:") and a mobile footer ("Enviado desde mi iPhone")."""
    for _round in range(3):
        starts = [m.start() for m in BLOCK_START.finditer(html)]
        cut = None
        for start in reversed(starts):
            tail = html_to_text(sanitize_html(html[start:])).strip()
            if not tail:
                continue
            line = " ".join(tail.split())
            if _is_lead(line):
                cut = start
            break
        if cut is None:
            return html
        html = html[:cut]
    return html


def _is_lead(line: str) -> bool:
    if MOBILE_FOOTER.match(line) and len(line) <= 60:
        return True
    attribution = ATTRIBUTION.match(line) and _looks_like_attribution(line)
    return bool(attribution or ATTRIBUTION_LOOSE.match(line) or BANNER.match(line))


def _strip_lines(lines: list[str]) -> list[str]:
    found = _find_splitter(lines)
    if found is None and any(FORWARDED.match(line) for line in lines):
        return lines
    if found is None:
        return _drop_trailing_quote(lines)
    start, end, head = found
    before = [*lines[:start], head] if head else _drop_separator(lines[:start])
    rest = end
    while rest < len(lines) and not lines[rest].strip():
        rest += 1
    if rest < len(lines) and QUOTED.match(lines[rest]):
        while rest < len(lines) and _in_quote(lines, rest):
            rest += 1
        tail = lines[rest:]
        if tail:
            return before + _strip_lines(tail)
    return before


def _in_quote(lines: list[str], index: int) -> bool:
    """A quoted or empty line, or one a long link broke out of the quote it sits in."""
    line = lines[index]
    if QUOTED.match(line) or not line.strip():
        return True
    return index + 1 < len(lines) and bool(QUOTED.match(lines[index + 1]))


def _find_splitter(lines: list[str]) -> tuple[int, int, str] | None:
    """(first line, line after the splitter, text before it on its first line) or None."""
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if FORWARDED.match(line):
            return None
        if BANNER.match(line) or ANDROID.match(line):
            return i, i + 1, ""
        if HEADER_FIRST.match(line) and _header_block(lines, i):
            return i, i + 1, ""
        prefixed = bool(ATTRIBUTION_PREFIX.match(line))
        for size in range(1, (MAX_ATTRIBUTION_LINES if prefixed else MAX_SPLITTER_LINES) + 1):
            block = lines[i : i + size]
            if size > 1 and not ATTRIBUTION_START.search(line):
                break
            if size > 1 and not prefixed and not all(map(str.strip, block)):
                break
            joined = " ".join(part.strip() for part in block if part.strip())
            inline = INLINE_ATTRIBUTION.search(joined)
            if inline and joined[: inline.start()].strip(" ->"):
                return i, i + size, joined[: inline.start()].rstrip(" -")
            if ATTRIBUTION.match(joined) and _looks_like_attribution(joined):
                return i, i + size, ""
            if ATTRIBUTION_LOOSE.match(joined):
                return i, i + size, ""
        if DATE_EMAIL.match(line):
            return i, i + 1, ""
    return None


def _looks_like_attribution(joined: str) -> bool:
    """Avoid cutting at prose that merely ends in "sent:" or "wrote:"."""
    return bool(re.search(r"\d|@", joined)) or joined.lstrip(" ->_").startswith(("On ", "El "))


def _drop_separator(lines: list[str]) -> list[str]:
    """Drop a rule line ("-----", "_____") that Outlook puts above the quoted header."""
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    if end and SEPARATOR.match(lines[end - 1]):
        return lines[: end - 1]
    return lines


def _header_block(lines: list[str], start: int) -> bool:
    following = [line for line in lines[start + 1 : start + 6] if line.strip()]
    return any(HEADER_NEXT.match(line) for line in following[:3])


def _drop_trailing_quote(lines: list[str]) -> list[str]:
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    start = end
    while start and (QUOTED.match(lines[start - 1]) or not lines[start - 1].strip()):
        start -= 1
    quoted = sum(1 for line in lines[start:end] if QUOTED.match(line))
    return lines[:start] if quoted >= MAX_SPLITTER_LINES else lines


def _drop_signature(lines: list[str]) -> list[str]:
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].rstrip("\n") in ("-- ", "--", "—"):
            lines = lines[:i]
            break
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    if lines and MOBILE_FOOTER.match(lines[-1]):
        lines = lines[:-1]
    return lines


SIGNATURE_TAIL = 15  # a signature sits in the last lines
SIGNATURE_LINE = 60  # and its lines are short
CLOSING = re.compile(
    r"^\s*(?:thanks?(?: you)?|many thanks|best(?: regards)?|kind regards|regards|cheers|"
    r"sincerely|gracias|muchas gracias|saludos|un saludo|atentamente|cordialmente)\b[^.?]{0,30}$",
    re.IGNORECASE,
)
_PUNCTUATED = re.compile(r"[.!?:;]\s*$")


def strip_signature(text: str, sender: str) -> str:
    """Cut a signature that names the sender (``sender``: their name and/or address).

    The first short line among the last ones that contains a word of the sender's name or
    the address's local part starts the signature; a closing ("Thanks,"), a rule line or
    short unpunctuated lines (a logo's alt text) right above it go with it.
    """
    tokens = _sender_tokens(sender)
    if not tokens:
        return text
    lines = text.rstrip().split("\n")
    cut = None
    for index in range(max(1, len(lines) - SIGNATURE_TAIL), len(lines)):
        line = lines[index].strip().lower()
        if line and len(line) <= SIGNATURE_LINE and any(t in _words(line) for t in tokens):
            cut = index
            break
    if cut is None:
        return text
    while cut > 1 and _signature_lead(lines[cut - 1]):
        cut -= 1
    kept = "\n".join(lines[:cut]).rstrip()
    return kept if kept.strip() else text


def _sender_tokens(sender: str) -> set[str]:
    words: set[str] = set()
    for word in re.split(r"[\s,<>\"']+", sender.lower()):
        local = word.split("@")[0] if "@" in word else word
        words.update(w for w in re.split(r"[._+-]", local) if len(w) >= 3)
    return words


def _words(line: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]{3,}", line))


def _signature_lead(line: str) -> bool:
    text = line.strip()
    if not text or SEPARATOR.match(line) or re.fullmatch(r"[-_=*]{2,}", text):
        return True
    if CLOSING.match(text):
        return True
    return len(text) <= 30 and not _PUNCTUATED.search(text) and " " not in text

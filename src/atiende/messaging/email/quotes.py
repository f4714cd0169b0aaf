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
    r"het volgende geschreven|geschreven|đã viết|escreveu|ha scritto"
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
HTML_QUOTE = re.compile(
    r"<(?:div|blockquote)[^>]*\b(?:class|id)\s*=\s*[\"']?(?:gmail_quote|yahoo_quoted|"
    r"divRplyFwdMsg|appendonsend|moz-cite-prefix|OLK_SRC_BODY_SECTION|mail_android_quote)"
    r"|<blockquote[^>]*type\s*=\s*[\"']?cite|<hr\b[^>]*id\s*=\s*[\"']?stopSpelling",
    re.IGNORECASE,
)
BLOCKQUOTE_TAG = re.compile(r"<(/?)blockquote\b[^>]*>", re.IGNORECASE)
QUOTED = re.compile(r"^\s*>")
MAX_SPLITTER_LINES = 3
MAX_ATTRIBUTION_LINES = 6


def strip_reply(text: str) -> str:
    """The new text of a reply: no quoted history, no signature."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(_strip_lines(lines)).strip()


def strip_reply_html(html: str) -> str:
    """The new text of an HTML reply, as plain text: cut at the client's quote container."""
    marker = HTML_QUOTE.search(html)
    if marker:
        quoted = html_to_text(sanitize_html(html[marker.start() :]))
        reply = html_to_text(sanitize_html(html[: marker.start()]))
        forwarded = any(FORWARDED.match(line) for line in quoted.splitlines()[:3])
        if reply.strip() and not forwarded:
            return strip_reply(reply)
    unquoted = html_to_text(sanitize_html(_drop_blockquotes(html)))
    if unquoted.strip():
        return strip_reply(unquoted)
    return strip_reply(html_to_text(sanitize_html(html)))


def trim_reply_html(html: str) -> str:
    """The HTML of a reply without the quoted history, for the timeline; "" when unsure.

    Cut at the mail client's quote container (Gmail, Outlook, Apple, Thunderbird), else drop
    outermost <blockquote>s; when nothing readable is left, the caller shows the text instead.
    """
    marker = HTML_QUOTE.search(html)
    if marker:
        head = sanitize_html(html[: marker.start()])
        if html_to_text(head).strip():
            return head
    unquoted = sanitize_html(_drop_blockquotes(html))
    return unquoted if html_to_text(unquoted).strip() else ""


def _drop_blockquotes(html: str) -> str:
    """Remove every outermost <blockquote> element, nesting respected."""
    kept: list[str] = []
    depth = position = 0
    for tag in BLOCKQUOTE_TAG.finditer(html):
        closing = tag.group(1) == "/"
        if depth == 0 and not closing:
            kept.append(html[position : tag.start()])
        if closing:
            depth = max(depth - 1, 0)
            if depth == 0:
                position = tag.end()
        else:
            depth += 1
    if depth == 0:
        kept.append(html[position:])
    return "".join(kept)


def _strip_lines(lines: list[str]) -> list[str]:
    found = _find_splitter(lines)
    if found is None and any(FORWARDED.match(line) for line in lines):
        return lines
    if found is None:
        return _drop_signature(_drop_trailing_quote(lines))
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
    return _drop_signature(before)


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
            if inline and joined[: inline.start()].strip(" -"):
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

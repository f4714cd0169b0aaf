"""The composer's light formatting: ``**bold**``, ``*italic*`` and ``-``/``1.`` lists.

The text is HTML-escaped first, so nothing the agent types becomes markup except these few
marks, and the result is sanitized again like every stored message.
"""

from __future__ import annotations

import html
import re

from atiende.core.html import sanitize_html

BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
ITALIC = re.compile(r"(?<![*\w])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![*\w])")
BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")


def _inline(text: str) -> str:
    return ITALIC.sub(r"<em>\1</em>", BOLD.sub(r"<strong>\1</strong>", html.escape(text)))


def _block(paragraph: str) -> str:
    lines = paragraph.split("\n")
    for pattern, tag in ((BULLET, "ul"), (NUMBERED, "ol")):
        items = [pattern.match(line) for line in lines]
        if all(items):
            inner = "".join(f"<li>{_inline(m.group(1))}</li>" for m in items if m)
            return f"<{tag}>{inner}</{tag}>"
    return "<p>" + "<br>".join(_inline(line) for line in lines) + "</p>"


def text_to_rich_html(text: str) -> str:
    """Safe HTML for the composer's text: paragraphs, line breaks, bold, italic and lists."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    return sanitize_html("".join(_block(p.strip("\n")) for p in paragraphs))

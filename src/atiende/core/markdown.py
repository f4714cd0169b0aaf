"""The one Markdown renderer: what an agent or an integrator formats, as safe HTML and text.

The composer, the API's ``format: "markdown"`` bodies and the reply mail all go through
`render`, so what the agent sees on the ticket is what the customer gets.
CommonMark (markdown-it-py) with line breaks kept as typed, bare URLs made links and
``~~strike~~``; raw HTML is not markup (it shows as typed), images are not rendered (files are
attached instead, and a remote image would track the customer), and only the link schemes of
`atiende.core.html` survive. The HTML is then cleaned by nh3 like every stored message, so a
renderer bug still cannot let a script through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from atiende.core.html import URL_SCHEMES, sanitize_html

FORMATS = ("text", "markdown", "html")
BETWEEN_TAGS = re.compile(r"(?<=>)\n(?=<|$)|(?<=<br>)\n")


@dataclass(frozen=True)
class Rendered:
    """One body in both forms a mail carries."""

    html: str
    text: str


@cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"breaks": True, "html": False, "linkify": True})
    parser.enable(["linkify", "strikethrough"])
    parser.disable(["image", "html_inline", "html_block"])
    parser.validateLink = _safe_link  # type: ignore[method-assign]  # the library's own hook
    return parser


def _safe_link(url: str) -> bool:
    """Only the schemes stored HTML allows (``javascript:``, ``data:``, ``vbscript:`` are not)."""
    scheme, colon, _rest = url.strip().partition(":")
    if not colon or "/" in scheme or "?" in scheme or "#" in scheme:
        return True  # relative: no scheme to abuse
    return scheme.lower() in URL_SCHEMES


def render(source: str) -> Rendered:
    """Safe HTML and a readable plain text for the Markdown ``source``."""
    source = source.replace("\r\n", "\n")
    tokens = _parser().parse(source)
    html = sanitize_html(_parser().renderer.render(tokens, _parser().options, {}))
    # The renderer's newlines between tags (never inside <pre>: its text is escaped).
    html = BETWEEN_TAGS.sub("", html)
    return Rendered(html=html, text=_text(tokens).strip("\n"))


def _text(tokens: list[Token]) -> str:
    """The document as a person would type it in a plain-text mail: emphasis marks dropped,
    links as ``label <url>``, list items with their bullet or number, paragraphs apart."""
    out: list[str] = []
    numbers: list[int | None] = []  # per open list: next number, or None for bullets
    quote = 0
    for token in tokens:
        kind = token.type
        if kind == "bullet_list_open":
            numbers.append(None)
        elif kind == "ordered_list_open":
            numbers.append(int(str(token.attrGet("start") or 1)))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            numbers.pop()
            if not numbers:
                out.append("\n")
        elif kind == "list_item_open":
            indent = "  " * (len(numbers) - 1)
            number = numbers[-1]
            if number is None:
                out.append(f"{indent}- ")
            else:
                out.append(f"{indent}{number}. ")
                numbers[-1] = number + 1
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind == "inline":
            line = _inline_text(token.children or [])
            prefix = "> " * quote
            out.append(prefix + line.replace("\n", "\n" + prefix))
        elif kind in ("fence", "code_block"):
            out.append(token.content.rstrip("\n") + "\n\n")
        elif kind == "hr":
            out.append("---\n\n")
        elif kind in ("paragraph_close", "heading_close"):
            out.append("\n" if numbers else "\n\n")
    return "".join(out)


def _inline_text(children: list[Token]) -> str:
    parts: list[str] = []
    href = ""
    label: list[str] = []
    for child in children:
        kind = child.type
        if kind == "link_open":
            href = str(child.attrGet("href") or "")
            label = []
        elif kind == "link_close":
            shown = "".join(label)
            bare = href in (shown, f"http://{shown}", f"mailto:{shown}")
            parts.append(shown if bare or not href else f"{shown} <{href}>")
            href = ""
        elif kind in ("softbreak", "hardbreak"):
            (label if href else parts).append("\n")
        elif kind in ("text", "code_inline"):
            (label if href else parts).append(child.content)
    return "".join(parts)

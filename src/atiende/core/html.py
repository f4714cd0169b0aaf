"""Sanitized HTML: what we store and what we show is cleaned by nh3, the same way each time."""

from __future__ import annotations

import html
from dataclasses import dataclass

import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "hr",
    "i", "img", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody",
    "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto", "cid", "tel"}


def sanitize_html(value: str) -> str:
    """Keep formatting, drop scripts, styles, event handlers and unsafe URLs."""
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


REMOTE = ("http:", "https:", "//")


@dataclass(frozen=True)
class Displayed:
    """HTML ready for a page, and whether remote images were held back from it."""

    html: str
    blocked_images: bool


def display_html(value: str, *, remote_images: bool = False) -> Displayed:
    """Sanitize ``value`` for a page; remote images keep their ``src`` only when asked.

    A remote image (``http:``, ``https:``, ``//host``) tells its sender that the message was
    opened (tracking pixels), so by default its ``src`` is dropped here, in the HTML itself;
    stored files (relative URLs) always show.
    """
    blocked = False

    def keep(tag: str, attribute: str, url: str) -> str | None:
        nonlocal blocked
        remote = tag == "img" and attribute == "src" and url.strip().lower().startswith(REMOTE)
        if remote and not remote_images:
            blocked = True
            return None
        return url

    cleaned = nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=keep,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return Displayed(html=cleaned, blocked_images=blocked)


def text_to_html(value: str) -> str:
    """Plain text as safe HTML paragraphs, line breaks kept."""
    paragraphs = [p for p in value.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)


def html_to_text(value: str) -> str:
    """A readable plain-text rendering of sanitized HTML, for search and text-only clients."""
    stripped = nh3.clean(
        value.replace("<br>", "\n").replace("</p>", "\n\n").replace("</li>", "\n"), tags=set()
    )
    return html.unescape(stripped).strip()

"""An article's Markdown as safe HTML for the help center.

The composer's renderer (`atiende.core.markdown`: CommonMark through markdown-it-py, raw HTML
shown as typed, only safe link schemes) with two differences an article needs:

- images show, but only our own article files (``/help/files/<id>/``, served through the
  reading gate): any other image (remote, ``data:``, a path elsewhere) becomes its alt text,
  so an article can neither track its readers nor embed what we did not store;
- headings get ids (``#como-empezar``) so a link can point into an article, and are shifted one
  level down: the page's own ``<h1>`` is the article's title.

nh3 cleans the result with the same rules again, so a renderer bug cannot let a script, an
event handler, a ``javascript:`` URL or a foreign image through.
"""

from __future__ import annotations

import re
from functools import cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from atiende.core.html import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES
from atiende.core.markdown import BETWEEN_TAGS
from atiende.kb.slugs import slug_for

# The path of an article file (the view ``help-file``), the only image source kept.
ARTICLE_FILE = re.compile(r"^/help/files/[0-9]{1,18}/$")
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
TAGS = ALLOWED_TAGS | {"h5", "h6"}
ATTRIBUTES = {
    **ALLOWED_ATTRIBUTES,
    "img": {"src", "alt", "title"},
    **{tag: {"id"} for tag in HEADINGS},
}
HEADING_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,100}$")
# Ids the help center's own pages use: a heading never takes one.
RESERVED_IDS = frozenset({"main", "article", "feedback", "search", "content", "related"})


@cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"breaks": True, "html": False, "linkify": True})
    parser.enable(["linkify", "strikethrough", "table"])
    parser.disable(["html_inline", "html_block"])
    parser.validateLink = _safe_link  # type: ignore[method-assign]  # the library's own hook
    return parser


def _safe_link(url: str) -> bool:
    scheme, colon, _rest = url.strip().partition(":")
    if not colon or "/" in scheme or "?" in scheme or "#" in scheme:
        return True
    return scheme.lower() in URL_SCHEMES


def is_article_file(src: str) -> bool:
    """Whether ``src`` names one of our article files (the only images an article shows)."""
    return bool(ARTICLE_FILE.match(src.strip()))


def render_article(markdown: str) -> str:
    """Safe HTML for an article's Markdown ``markdown``."""
    parser = _parser()
    tokens = parser.parse(markdown.replace("\r\n", "\n"))
    _prepare(tokens)
    raw = parser.renderer.render(tokens, parser.options, {})
    html = nh3.clean(
        raw,
        tags=TAGS,
        attributes=ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return BETWEEN_TAGS.sub("", html)


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if is_article_file(value) else None
    if attribute == "id":
        return value if HEADING_ID.match(value) and value not in RESERVED_IDS else None
    return value


def _prepare(tokens: list[Token]) -> None:
    """Give headings ids (one level down) and turn foreign images into their alt text."""
    used: set[str] = set(RESERVED_IDS)
    for index, token in enumerate(tokens):
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + 1, 6)
            token.tag = f"h{level}"
            if token.type == "heading_open":
                inline = tokens[index + 1]
                token.attrSet("id", _unique(slug_for(_plain(inline.children or [])), used))
        if token.type == "inline" and token.children:
            token.children = [_inert_image(child) for child in token.children]


def _inert_image(token: Token) -> Token:
    if token.type != "image" or is_article_file(str(token.attrGet("src") or "")):
        return token
    text = Token("text", "", 0)
    text.content = _plain(token.children or []) or token.content
    return text


def _plain(children: list[Token]) -> str:
    return "".join(c.content for c in children if c.type in ("text", "code_inline"))


def _unique(base: str, used: set[str]) -> str:
    slug, n = base[:90], 1
    while slug in used:
        n += 1
        slug = f"{base[:90]}-{n}"
    used.add(slug)
    return slug

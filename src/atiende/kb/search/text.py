"""The plain text of an article's Markdown body: what is indexed and what snippets quote.

Only the parse is needed (no HTML, no sanitizing): the text of every inline run, code
included, blocks apart. It is worked out once, when a text is indexed, and kept with the
index (``SearchDocument.text``) for the snippets.
"""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable(["strikethrough"])


def plain_text(markdown: str) -> str:
    """``markdown`` as readable text (no markup), whitespace collapsed to single spaces."""
    parts: list[str] = []
    for token in _parser().parse(markdown.replace("\r\n", "\n")):
        if token.type == "inline":
            parts.extend(
                child.content
                for child in token.children or []
                if child.type in ("text", "code_inline", "html_inline")
            )
            parts.append(" ")
        elif token.type in ("fence", "code_block", "html_block"):
            parts.append(token.content)
    return " ".join("".join(parts).split())

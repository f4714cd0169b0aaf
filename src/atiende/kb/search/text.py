"""The plain text of an article's Markdown body: what is indexed and what snippets quote."""

from __future__ import annotations

from functools import lru_cache

from atiende.core.markdown import render


@lru_cache(maxsize=2_048)
def plain_text(markdown: str) -> str:
    """``markdown`` as readable text (no markup), whitespace collapsed to single spaces."""
    return " ".join(render(markdown).text.split())

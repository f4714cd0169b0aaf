"""Text shown with its matches marked: the one escaping of highlighted snippets.

Ticket search (``search.highlight``) and the knowledge base's search (``kb.search.query``)
find the matching words their own way and mark them here, so neither can forget to escape.
"""

from __future__ import annotations

import html


def mark_spans(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    """``text[start:end]`` escaped, each (begin, stop) of ``spans`` (in order) in ``<mark>``."""
    out, at = [], start
    for begin, stop in spans:
        if stop <= start or begin >= end:
            continue
        begin, stop = max(begin, start), min(stop, end)
        out.append(html.escape(text[at:begin]))
        out.append("<mark>" + html.escape(text[begin:stop]) + "</mark>")
        at = stop
    out.append(html.escape(text[at:end]))
    return "".join(out)

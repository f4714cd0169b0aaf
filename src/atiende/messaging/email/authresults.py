"""A parser of ``Authentication-Results`` (RFC 8601), standard library only.

Why our own: the one Python parser (``authres``) had its last release in 2019, and we need
only the grammar's core — ``authserv-id [version] ; method=result ptype.property=value …`` —
with comments (nested, RFC 5322 CFWS) and quoted strings. Anything that does not fit the
grammar yields no result rather than a guess: an unreadable header never authenticates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_HEADER = 8192
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[^\s"=]+=(?:"(?:[^"\\]|\\.)*"|[^\s"]*)|[^\s"]+')
_METHOD = re.compile(r"^([a-z0-9_.-]+)(?:/\d+)?=([a-z0-9_-]+)$")


@dataclass(frozen=True)
class Result:
    """One method's verdict, e.g. ``dkim=pass header.d=example.com``."""

    method: str
    result: str
    properties: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AuthResults:
    """One header: who checked (``authserv_id``) and what each method said."""

    authserv_id: str
    results: tuple[Result, ...]


def parse(value: str) -> AuthResults | None:
    """The parsed header, or None when it does not follow RFC 8601."""
    if len(value) > MAX_HEADER:
        return None
    text = strip_comments(" ".join(value.split()))
    if text is None:
        return None
    parts = split_outside_quotes(text, ";")
    head = parts[0].split()
    if not head or len(head) > 2 or (len(head) == 2 and not head[1].isdecimal()):
        return None
    results: list[Result] = []
    for part in parts[1:]:
        tokens = _TOKEN.findall(part.strip())
        if not tokens or tokens == ["none"]:
            continue
        found = _METHOD.match(tokens[0].lower())
        if found is None:
            return None
        properties: dict[str, str] = {}
        for token in tokens[1:]:
            name, eq, raw = token.partition("=")
            if not eq or not name:
                return None
            properties.setdefault(name.lower(), _unquote(raw))
        results.append(Result(found[1], found[2], properties))
    return AuthResults(head[0].lower().strip('"'), tuple(results))


def strip_comments(text: str) -> str | None:
    """``text`` without its (possibly nested) comments; None when a parenthesis is unbalanced."""
    out: list[str] = []
    depth = 0
    quoted = escaped = False
    for char in text:
        if escaped:
            escaped = False
            if depth == 0:
                out.append(char)
            continue
        if char == "\\" and (quoted or depth):
            escaped = True
            if depth == 0:
                out.append(char)
            continue
        if quoted:
            quoted = char != '"'
            out.append(char)
        elif char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                return None
            depth -= 1
            if depth == 0:
                out.append(" ")
        elif depth == 0:
            quoted = char == '"'
            out.append(char)
    return None if depth or quoted else "".join(out)


def split_outside_quotes(text: str, separator: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value

"""The messaging app reads ticket rows only through ``tickets.selectors`` (docs/architecture.md).

Import contracts cannot say it: messaging imports ``tickets.models`` for its enums (``Channel``,
``Direction``) and for type hints. So this reads the source: no ``<tickets model>.objects``
anywhere in ``atiende.messaging`` (migrations aside, which use the historical models).
"""

from __future__ import annotations

import ast
from pathlib import Path

import atiende.messaging

ROOT = Path(atiende.messaging.__file__).parent


def ticket_model_queries(source: str) -> list[str]:
    """``Name.objects`` uses in ``source`` whose ``Name`` came from ``atiende.tickets.models``."""
    tree = ast.parse(source)
    names = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "atiende.tickets.models"
        for alias in node.names
    }
    return [
        f"{node.value.id}.objects (line {node.lineno})"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr == "objects"
        and isinstance(node.value, ast.Name)
        and node.value.id in names
    ]


def test_the_checker_finds_a_direct_query() -> None:
    source = "from atiende.tickets.models import Message as M\nM.objects.filter(pk=1)\n"

    assert ticket_model_queries(source) == ["M.objects (line 2)"]
    assert ticket_model_queries("from x import Message\nMessage.objects.all()\n") == []


def test_messaging_reads_ticket_rows_only_through_the_tickets_selectors() -> None:
    found = {
        str(path.relative_to(ROOT)): hits
        for path in sorted(ROOT.rglob("*.py"))
        if "migrations" not in path.parts
        and (hits := ticket_model_queries(path.read_text(encoding="utf-8")))
    }

    assert found == {}

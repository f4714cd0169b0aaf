"""A boolean SQL condition on one column of the outer query, safe to relabel.

Backends use it for their broad-match condition: a raw subquery that refers to the ticket
id of the outer query. The column goes through Django's compiler, so the condition still
works when the queryset is nested in another query and its tables get aliases like ``U0``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Expression, F
from django.db.models.sql.compiler import SQLCompiler

PLACEHOLDER = "{ticket}"


class TicketCondition(Expression):
    """``template`` with ``{ticket}`` standing for the outer ticket id column."""

    output_field = BooleanField()

    def __init__(self, template: str, params: Sequence[str]) -> None:
        if template.count(PLACEHOLDER) != 1:
            raise ValueError("the template must name the ticket column exactly once")
        super().__init__()
        self.template = template
        self.params = list(params)
        self.ticket: Any = F("pk")

    def get_source_expressions(self) -> list[Any]:
        return [self.ticket]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.ticket,) = exprs

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        ticket_sql, ticket_params = compiler.compile(self.ticket)
        head, tail = self.template.split(PLACEHOLDER)
        before = head.count("%s")
        params = [*self.params[:before], *ticket_params, *self.params[before:]]
        return head + ticket_sql + tail, tuple(params)

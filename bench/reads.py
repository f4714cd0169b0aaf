"""API reads timed in-process: Django's test ``Client`` through the WSGI handler (server time).

Each request carries a Bearer API token, so it walks the whole middleware stack, ninja's auth
(token lookup), the scoping rule, the query and the JSON rendering. The SQL time and query
count of every request are recorded too, which splits a slow figure into database and Python.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from common import Figure, print_figure
from fixture import (
    ADMIN_EMAIL,
    AGENT_EMAIL,
    AGENT_GROUPS,
    BROAD_QUERY,
    RARE_QUERY,
    TWO_WORD_QUERY,
)

LIST_MEDIAN_MS, LIST_P95_MS = 10.0, 25.0
SEARCH_P95_MS = 100.0


@dataclass
class Endpoint:
    name: str
    paths: Callable[[], str]  # the next path to request
    search: bool = False
    matches: int | None = None  # tickets the query matches for this user (for the report)


class SqlTimer:
    """Sums the time and count of SQL statements run on a connection (an execute wrapper)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.queries = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - began
            self.queries += 1


@contextmanager
def sql_timer() -> Iterator[SqlTimer]:
    from django.db import connection

    timer = SqlTimer()
    with connection.execute_wrapper(timer):
        yield timer


def tokens() -> dict[str, str]:
    """Fresh Bearer tokens for the bench admin and the restricted agent."""
    from atiende.accounts.models import User
    from atiende.accounts.services import create_api_token
    from atiende.core.actor import Actor

    out = {}
    for role, email in (("admin", ADMIN_EMAIL), ("agent", AGENT_EMAIL)):
        user = User.objects.get(email=email)
        _token, plain = create_api_token(Actor.system("bench"), user=user, name=f"bench {role}")
        out[role] = plain
    return out


def endpoints(role: str, rng: random.Random) -> list[Endpoint]:
    from atiende.accounts.models import Group, User
    from atiende.core.actor import Actor, Source
    from atiende.search.tickets import filter_tickets
    from atiende.tickets.selectors import visible_tickets

    user = User.objects.get(email=ADMIN_EMAIL if role == "admin" else AGENT_EMAIL)
    actor = Actor(user=user, source=Source.API)
    visible = visible_tickets(actor)
    group = Group.objects.filter(name__in=AGENT_GROUPS).order_by("name").first()
    assert group is not None
    ids = list(visible.values_list("pk", flat=True))
    base = "/api/v1/tickets"

    def fixed(path: str) -> Callable[[], str]:
        return lambda: path

    def query(q: str) -> str:
        return f"{base}?{urlencode({'q': q, 'limit': 25})}"

    def matches(q: str) -> int:
        return filter_tickets(visible, q, include_internal=True).count()

    return [
        Endpoint("list", fixed(f"{base}?limit=25")),
        Endpoint("list ?status=open&group_id", fixed(f"{base}?status=open&group_id={group.pk}")),
        Endpoint(f"search q={BROAD_QUERY}", fixed(query(BROAD_QUERY)), True, matches(BROAD_QUERY)),
        Endpoint(f"search q={RARE_QUERY}", fixed(query(RARE_QUERY)), True, matches(RARE_QUERY)),
        Endpoint(
            f"search q={TWO_WORD_QUERY}",
            fixed(query(TWO_WORD_QUERY)),
            True,
            matches(TWO_WORD_QUERY),
        ),
        Endpoint("read /tickets/{id}", lambda: f"{base}/{rng.choice(ids)}"),
    ]


def measure(
    *, iterations: int, warmup: int, profile: bool, explain: bool, seed: int = 7
) -> list[Figure]:
    from django.test import Client

    from atiende.tickets.models import Ticket

    rng = random.Random(seed)
    plain = tokens()
    figures = []
    print(f"API reads, in-process WSGI handler, {Ticket.objects.count():,} tickets", flush=True)
    for role in ("admin", "agent"):
        client = Client(HTTP_AUTHORIZATION=f"Bearer {plain[role]}")
        for endpoint in endpoints(role, rng):
            figure = _time(client, endpoint, role, iterations=iterations, warmup=warmup)
            figures.append(figure)
            print_figure(figure)
            if profile and not figure.ok:
                _profile(client, endpoint)
            if explain and (endpoint.search or not figure.ok):
                _explain(client, endpoint)
    return figures


def _time(client: Any, endpoint: Endpoint, role: str, *, iterations: int, warmup: int) -> Figure:
    for _ in range(warmup):
        client.get(endpoint.paths())
    samples, sql_ms, queries, errors, rows = [], [], [], 0, 0
    for _ in range(iterations):
        path = endpoint.paths()
        with sql_timer() as timer:
            began = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - began
        samples.append(elapsed * 1000)
        sql_ms.append(timer.seconds * 1000)
        queries.append(timer.queries)
        if response.status_code != 200:
            errors += 1
        else:
            body = response.json()
            rows = len(body["items"]) if "items" in body else 1
    note = f"sql {statistics.median(sql_ms):.1f} ms/{statistics.median(queries):.0f} q"
    if endpoint.matches is not None:
        note += f", {endpoint.matches:,} matches"
    note += f", {rows} rows"
    figure = Figure.from_samples(
        f"{role:<5} {endpoint.name}",
        samples,
        errors=errors,
        note=note,
        extra={
            "role": role,
            "endpoint": endpoint.name,
            "sql_median_ms": statistics.median(sql_ms),
            "queries": statistics.median(queries),
            "matches": endpoint.matches,
        },
    )
    if endpoint.search:
        figure.check(p95_below=SEARCH_P95_MS)
    else:
        figure.check(median_below=LIST_MEDIAN_MS, p95_below=LIST_P95_MS)
    return figure


def _profile(client: Any, endpoint: Endpoint, requests: int = 50) -> None:
    """Where a slow request spends its time: the heaviest functions by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(endpoint.paths())
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(25)
    print(f"    cProfile of {requests} requests of {endpoint.name}:")
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    print("\n".join("      " + line for line in lines[:40]), flush=True)


def _explain(client: Any, endpoint: Endpoint) -> None:
    """The plan of the slowest SQL statement of one request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(endpoint.paths())
    slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
    sql = slowest["sql"]
    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if connection.vendor == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        plan = [" ".join(str(c) for c in row) for row in cursor.fetchall()]
    print(f"    slowest SQL of {endpoint.name} ({float(slowest['time']) * 1000:.1f} ms):")
    print("      " + sql[:1500])
    print("\n".join("      " + line for line in plan), flush=True)

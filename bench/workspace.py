"""Workspace pages timed in-process (server time): the inbox, the ticket page, search.

Each request is a signed-in browser request (session cookie, CSRF, templates) through Django's
WSGI handler, as an agent's browser makes it: the full inbox page (sidebar counts + the first
25 rows), the counts fragment htmx refreshes on every live event, a view ("Recently solved"),
a random visible ticket's page (header, timeline, customer panel, composer), the search page and
the suggestions under the search box, for a broad and a rare word.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from common import Figure, print_figure
from fixture import ADMIN_EMAIL, AGENT_EMAIL, BROAD_QUERY, RARE_QUERY
from reads import sql_timer

PAGE_P95_MS = 50.0
SEARCH_P95_MS = 100.0


@dataclass
class Page:
    name: str
    paths: Callable[[], str]
    search: bool = False


def pages(role: str, rng: random.Random) -> list[Page]:
    from atiende.accounts.models import User
    from atiende.core.actor import Actor, Source
    from atiende.tickets.selectors import visible_tickets

    user = User.objects.get(email=ADMIN_EMAIL if role == "admin" else AGENT_EMAIL)
    visible = visible_tickets(Actor(user=user, source=Source.WEB))
    # Recent tickets are the ones agents open; a random pick among the newest 2,000.
    ids = list(visible.order_by("-created_at").values_list("pk", flat=True)[:2000])

    def fixed(path: str) -> Callable[[], str]:
        return lambda: path

    def search(path: str, q: str) -> Callable[[], str]:
        return fixed(f"{path}?{urlencode({'q': q})}")

    return [
        Page("inbox", fixed("/inbox/")),
        Page("inbox counts fragment", fixed("/inbox/counts/")),
        Page("inbox view=solved", fixed("/inbox/?view=solved")),
        Page("ticket page", lambda: f"/tickets/{rng.choice(ids)}/"),
        Page(f"search page q={BROAD_QUERY}", search("/search/", BROAD_QUERY), True),
        Page(f"search page q={RARE_QUERY}", search("/search/", RARE_QUERY), True),
        Page(f"suggest q={BROAD_QUERY}", search("/search/suggest/", BROAD_QUERY), True),
    ]


def measure(*, iterations: int, warmup: int, seed: int = 11) -> list[Figure]:
    from django.test import Client

    from atiende.accounts.models import User
    from atiende.tickets.models import Ticket

    rng = random.Random(seed)
    figures = []
    print(f"Workspace pages, in-process WSGI handler, {Ticket.objects.count():,} tickets")
    for role in ("admin", "agent"):
        client = Client()
        client.force_login(User.objects.get(email=ADMIN_EMAIL if role == "admin" else AGENT_EMAIL))
        for page in pages(role, rng):
            figure = _time(client, page, role, iterations=iterations, warmup=warmup)
            figures.append(figure)
            print_figure(figure)
    return figures


def _time(client: Any, page: Page, role: str, *, iterations: int, warmup: int) -> Figure:
    for _ in range(warmup):
        client.get(page.paths())
    samples, sql_ms, queries, errors = [], [], [], 0
    for _ in range(iterations):
        path = page.paths()
        with sql_timer() as timer:
            began = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - began
        samples.append(elapsed * 1000)
        sql_ms.append(timer.seconds * 1000)
        queries.append(timer.queries)
        if response.status_code != 200:
            errors += 1
    figure = Figure.from_samples(
        f"{role:<5} web {page.name}",
        samples,
        errors=errors,
        note=f"sql {statistics.median(sql_ms):.1f} ms/{statistics.median(queries):.0f} q",
        extra={"role": role, "page": page.name, "sql_median_ms": statistics.median(sql_ms)},
    )
    figure.check(p95_below=SEARCH_P95_MS if page.search else PAGE_P95_MS)
    return figure

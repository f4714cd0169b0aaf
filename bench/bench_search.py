"""Ticket search on 100k tickets x 3 messages: bulk indexing speed and filtered-list latency.

Prints figures; asserts nothing. Uses its own database, never the development one:

    .venv/bin/python bench/bench_search.py                      # SQLite in /tmp
    .venv/bin/python bench/bench_search.py --postgres           # database atiende_bench_search
    .venv/bin/python bench/bench_search.py --tickets 20000 --explain

Seeding writes rows with ``bulk_create`` (a throwaway shortcut around the services), then
times ``search.tickets.index_tickets`` over all of them.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import string
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PG_URL = "postgres://postgres@127.0.0.1:5432/atiende_bench_search"
# word: share of tickets that contain it (in a public message unless noted)
PLANTED = {
    "printer": 0.30,  # broad
    "password": 0.10,
    "invoice": 0.01,
    "zeppelin": 0.001,
    "quasar": 0.0001,
}
NOTE_ONLY = {"escalate": 0.30}  # only in internal notes: broad for agents, nothing for customers
QUERIES = [
    "printer",
    "printers",
    "print",
    "password",
    "invoice",
    "zeppelin",
    "quasar",
    "printer password",
    "printer invoice",
    "escalate",
    "nomatchword",
    "1042",
]


def setup(postgres: bool) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    if postgres:
        import psycopg

        with psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            if not conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = 'atiende_bench_search'"
            ).fetchone():
                conn.execute("CREATE DATABASE atiende_bench_search")
        os.environ["DATABASE_URL"] = PG_URL
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["ATIENDE_DATA_DIR"] = "/tmp/atiende_bench_search"  # noqa: S108  (throwaway)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atiende.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def seed(count: int) -> float:
    """Create ``count`` tickets with 3 messages each if missing; return seconds to index them."""
    from atiende.accounts.models import User
    from atiende.search.tickets import index_tickets
    from atiende.tickets.models import Message, Priority, Status, Ticket

    have = Ticket.objects.count()
    if have >= count:
        return 0.0
    rng = random.Random(42)
    vocab = [
        "".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 9))) for _ in range(20_000)
    ]
    requester = User.objects.filter(email="bench-search@example.com").first()
    if requester is None:
        requester = User.objects.create_user(
            email="bench-search@example.com", password=None, name="Bench"
        )
    status, priority = Status.objects.order_by("order").first(), Priority.objects.get(key="normal")
    created = Ticket._meta.get_field("created_at")
    created.auto_now_add = False  # spread dates for the bench only
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)

    def words(n: int, planted: dict[str, float]) -> str:
        chosen = rng.choices(vocab, k=n)
        chosen += [word for word, share in planted.items() if rng.random() < share]
        rng.shuffle(chosen)
        return " ".join(chosen)

    batch = 2_000
    for first in range(have, count, batch):
        size = min(batch, count - first)
        tickets = Ticket.objects.bulk_create(
            Ticket(
                number=100_000 + first + i,
                subject=words(6, {}).capitalize(),
                requester=requester,
                status=status,
                priority=priority,
                created_at=start + datetime.timedelta(minutes=first + i),
            )
            for i in range(size)
        )
        messages = []
        for ticket in tickets:
            for public, planted in ((True, PLANTED), (True, {}), (False, NOTE_ONLY)):
                messages.append(
                    Message(
                        ticket=ticket,
                        public=public,
                        direction="in",
                        channel="web",
                        body_text=words(40, planted),
                    )
                )
        Message.objects.bulk_create(messages)
    ids = list(Ticket.objects.order_by("pk").values_list("pk", flat=True))
    began = time.perf_counter()
    index_tickets(ids)
    return time.perf_counter() - began


def timed(run: Callable[[], Any], repeat: int) -> tuple[float, float, int]:
    """p50 and p95 in milliseconds, and the size of the last result."""
    run()  # warm
    times, size = [], 0
    for _ in range(repeat):
        began = time.perf_counter()
        size = len(run())
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], size


def measure(repeat: int, explain: bool) -> None:
    from django.db import connection
    from django.db.models import QuerySet

    from atiende.core.actor import Actor
    from atiende.search.tickets import filter_tickets
    from atiende.tickets.listing import TicketFilters, list_tickets
    from atiende.tickets.models import Message, Ticket
    from atiende.tickets.selectors import visible_tickets

    system = Actor.system("bench")
    tickets = Ticket.objects.count()
    print(f"{connection.vendor}: {tickets} tickets, {Message.objects.count()} messages")
    print(
        f"{'query':<20} {'internal':<9} {'matches':>8} {'p50 ms':>8} {'p95 ms':>8} {'list p95':>9}"
    )
    for query in QUERIES:
        for internal in (True, False):

            def newest(query: str = query, internal: bool = internal) -> QuerySet[Ticket]:
                narrowed = filter_tickets(visible_tickets(system), query, include_internal=internal)
                return narrowed.order_by("-created_at", "-pk")

            def first_page(newest: Callable[[], QuerySet[Ticket]] = newest) -> list[Ticket]:
                return list(newest()[:25])

            def listed_page(query: str = query) -> list[Ticket]:
                return list(list_tickets(system, TicketFilters(q=query)).items)

            matches = newest().count()
            p50, p95, _ = timed(first_page, repeat)
            if internal:
                _, list_p95, _ = timed(listed_page, repeat)
                listed = f"{list_p95:9.1f}"
            else:
                listed = f"{'':>9}"
            print(f"{query:<20} {internal!s:<9} {matches:>8} {p50:8.1f} {p95:8.1f} {listed}")
            if explain and query in ("printer", "quasar", "1042") and internal:
                print(newest()[:25].explain())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    setup(args.postgres)
    seconds = seed(args.tickets)
    if seconds:
        print(f"index_tickets: {args.tickets} tickets in {seconds:.1f} s "
              f"({args.tickets / seconds:.0f} tickets/s)")  # fmt: skip
    measure(args.repeat, args.explain)


if __name__ == "__main__":
    main()

"""The customer portal's list ("My requests") for a customer with 1,000 tickets: p95 < 100 ms.

    .venv/bin/python bench/portal.py --db sqlite      # or --db postgres (127.0.0.1:5432)

Seeds a database of its own once (kept for the next run): one customer with 1,000 tickets in a
shared organization whose verified members see each other's requests, 200 other customers
with 3,000 tickets between them, all opened through ``tickets.services``. Then times whole
requests through Django's WSGI handler (test ``Client``, signed in, every middleware): the
first page of each filter (mine / my organization × all / open / closed) and pages further
down by their keyset cursor. Prints median and p95 in milliseconds and the SQL per request.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from pathlib import Path

from common import PG_SERVER, WORK_DIR, Figure, print_figure

DATABASE = "atiende_portal_bench"
CUSTOMER = "portal-bench@customers.bench.example"
TICKETS = 1_000
OTHER_CUSTOMERS, OTHER_TICKETS = 200, 3_000
P95_MS = 100.0
NEXT = re.compile(r'after=([A-Za-z0-9_-]+)" rel="next"')


def configure(db: str) -> None:
    folder = WORK_DIR / f"portal-{db}"
    (folder / "static").mkdir(parents=True, exist_ok=True)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "atiende.settings",
            "ATIENDE_DATA_DIR": str(folder),
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "ATIENDE_OUTBOX_DELIVER_AT_ONCE": "0",
        }
    )
    if db == "postgres":
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{DATABASE}"
        _create_pg_database()
    else:
        os.environ.pop("DATABASE_URL", None)
    src = str(Path(__file__).resolve().parents[1] / "src")
    if src not in sys.path:
        sys.path.insert(0, src)


def _create_pg_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]
        ).fetchone()
        if found is None:
            connection.execute(f'CREATE DATABASE "{DATABASE}"')


def seed() -> None:
    """The customers and tickets, through the services, unless already there."""
    from atiende.accounts import services as accounts
    from atiende.accounts.models import User
    from atiende.core.actor import Actor
    from atiende.tickets import services as tickets

    if User.objects.filter(email=CUSTOMER).exists():
        return
    system = Actor.system("bench")
    began = time.perf_counter()
    org = accounts.create_organization(
        system, name="Portal bench org", domains=("customers.bench.example",), shared_tickets=True
    )
    customer = accounts.create_user(
        system, email=CUSTOMER, name="Cliente Bench", role="customer", organization_id=org.pk
    )
    accounts.mark_email_verified(customer)
    others = [
        accounts.create_user(
            system,
            email=f"other{n}@{'customers' if n % 4 == 0 else 'others'}.bench.example",
            name=f"Otro {n}",
            role="customer",
            organization_id=org.pk if n % 4 == 0 else None,
        )
        for n in range(OTHER_CUSTOMERS)
    ]
    rng = random.Random(15)
    statuses = ["open", "pending", "solved", "closed"]
    plan = [customer] * TICKETS + [rng.choice(others) for _ in range(OTHER_TICKETS)]
    rng.shuffle(plan)
    for n, requester in enumerate(plan):
        ticket = tickets.open_ticket(
            system, requester=requester, subject=f"Solicitud {n}", body="No funciona la impresora."
        )
        status = rng.choice(statuses)
        if status != "open":
            tickets.update_ticket(
                system, ticket_id=ticket.pk, version=None, changes={"status": status}
            )
    print(f"  seeded {len(plan):,} tickets in {time.perf_counter() - began:.0f} s", flush=True)
    settle()


def settle() -> None:
    """What a live database's housekeeping does after a burst of writes (as bench/fixture.py):
    PostgreSQL's autovacuum, the planner statistics task of ``atiende.core.tasks``."""
    from django.db import connection

    from atiende.core.tasks import refresh_planner_statistics

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    refresh_planner_statistics.call()


def measure(rounds: int) -> list[Figure]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from atiende.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=CUSTOMER))
    figures = []
    queries: list[int] = []

    def timed(path: str) -> tuple[float, str | None]:
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - began) * 1000
        assert response.status_code == 200, (path, response.status_code)
        queries.append(len(captured.captured_queries))
        found = NEXT.search(response.content.decode())
        return elapsed, (found.group(1) if found else None)

    for whose in ("mine", "organization"):
        for state in ("all", "open", "closed"):
            samples: list[float] = []
            queries.clear()
            for _ in range(rounds):
                elapsed, _cursor = timed(f"/portal/?whose={whose}&state={state}")
                samples.append(elapsed)
            figure = Figure.from_samples(
                f"list {whose}/{state} (page 1)", samples, note=f"{max(queries)} queries"
            )
            figure.check(p95_below=P95_MS)
            print_figure(figure)
            figures.append(figure)
    # Deeper pages: follow the cursor down the customer's own list, 20 pages (500 requests).
    samples = []
    queries.clear()
    for _ in range(max(1, rounds // 20)):
        path = "/portal/?whose=mine&state=all"
        for _page in range(20):
            elapsed, cursor = timed(path)
            samples.append(elapsed)
            if cursor is None:
                break
            path = f"/portal/?whose=mine&state=all&after={cursor}"
    figure = Figure.from_samples("list mine, pages 1-20", samples, note=f"{max(queries)} queries")
    figure.check(p95_below=P95_MS)
    print_figure(figure)
    figures.append(figure)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument(
        "--settle", action="store_true", help="refresh the planner statistics before timing"
    )
    args = parser.parse_args()
    configure(args.db)

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    print(f"portal list, {args.db}: a customer with {TICKETS:,} tickets", flush=True)
    seed()
    if args.settle:
        settle()
    figures = measure(args.rounds)
    return 0 if all(f.ok for f in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())

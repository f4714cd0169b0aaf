"""Trigger evaluation: the time 100 active triggers add to a ticket event (issue 14: < 5 ms).

    .venv/bin/python bench/triggers.py                 # SQLite, in a database of its own
    .venv/bin/python bench/triggers.py --db postgres   # PostgreSQL database atiende_bench_triggers

It times the same ticket update (a priority change, one ``TicketUpdated`` event) with no
trigger and with 100 active triggers whose conditions read the event and the ticket (status,
priority, subject, tags, group: one ticket load shared by all) and none of which match, so
what is measured is the evaluation itself. It also times ``engine.evaluate`` alone on an
event. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from typing import Any

from common import PG_SERVER, REPO, WORK_DIR

ROUNDS = 300


def configure(db: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "atiende.settings"
    os.environ["ATIENDE_DATA_DIR"] = str(WORK_DIR / f"triggers-{db}")
    os.environ["DEBUG"] = "0"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.pop("ATIENDE_TASKS_IMMEDIATE", None)
    if db == "postgres":
        name = "atiende_bench_triggers"
        for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
            subprocess.run(
                ["psql", f"{PG_SERVER}/postgres", "-qc", sql],
                check=True,
                capture_output=True,
            )
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{name}"
    else:
        os.environ.pop("DATABASE_URL", None)
        path = WORK_DIR / f"triggers-{db}"
        for leftover in path.glob("*.sqlite3*"):
            leftover.unlink()
    sys.path.insert(0, str(REPO / "src"))


def definitions(n: int) -> list[dict[str, Any]]:
    """``n`` triggers of the usual shapes, none matching the benchmark's ticket."""
    shapes = [
        {"all": [{"field": "status", "operator": "is", "value": "solved"}]},
        {"all": [{"field": "priority", "operator": "is", "value": "low"}]},
        {"any": [{"field": "subject", "operator": "contains", "value": "zzz-word"}]},
        {"all": [{"field": "tags", "operator": "contains", "value": "never"}]},
        {"all": [{"field": "group", "operator": "is", "value": 999_999}]},
    ]
    return [
        {
            "name": f"bench {i}",
            "conditions": {
                "all": [
                    {"field": "event.kind", "operator": "is", "value": "updated"},
                    *shapes[i % len(shapes)].get("all", []),
                ],
                "any": shapes[i % len(shapes)].get("any", []),
            },
            "actions": [{"type": "add_tags", "value": [f"bench-{i}"]}],
        }
        for i in range(n)
    ]


def time_updates(ticket_id: int, rounds: int) -> list[float]:
    from atiende.core.actor import Actor
    from atiende.tickets import services as tickets

    actor = Actor.system("bench")
    times = []
    for i in range(rounds):
        priority = "high" if i % 2 == 0 else "normal"
        start = time.perf_counter()
        tickets.update_ticket(
            actor, ticket_id=ticket_id, version=None, changes={"priority": priority}
        )
        times.append((time.perf_counter() - start) * 1000)
    return times


def time_evaluate(ticket_id: int, rounds: int) -> list[float]:
    from atiende.automation.triggers import engine
    from atiende.automation.triggers.facts import Facts
    from atiende.core.event_types import FieldChange

    change = FieldChange("priority", {"key": "normal"}, {"key": "high"})
    times = []
    for _ in range(rounds):
        facts = Facts(kind="updated", ticket_id=ticket_id, changes={"priority": change})
        start = time.perf_counter()
        engine.evaluate(facts)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--triggers", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args(argv)
    configure(args.db)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)

    from atiende.accounts import services as accounts
    from atiende.automation.models import Trigger
    from atiende.automation.triggers import cache
    from atiende.automation.triggers.services import create_trigger
    from atiende.core.actor import Actor
    from atiende.tickets import services as tickets

    system = Actor.system("bench")
    Trigger.objects.update(active=False)  # the shipped rules would act on our ticket
    customer = accounts.create_user(system, email="bench@customer.test", role="customer")
    ticket = tickets.open_ticket(
        system, subject="Printer on fire", body="Smoke everywhere", requester=customer
    )
    cache.clear()
    time_updates(ticket.pk, 20)  # warm up
    without = time_updates(ticket.pk, args.rounds)
    for definition in definitions(args.triggers):
        create_trigger(system, **definition)
    cache.clear()
    time_updates(ticket.pk, 20)
    with_rules = time_updates(ticket.pk, args.rounds)
    alone = time_evaluate(ticket.pk, args.rounds)

    base, loaded = statistics.median(without), statistics.median(with_rules)
    print(f"database: {args.db}; {args.triggers} active triggers; {args.rounds} updates each")
    print(f"  ticket update, no triggers:      median {base:6.2f} ms")
    print(f"  ticket update, with triggers:    median {loaded:6.2f} ms")
    print(f"  added per event (median):               {loaded - base:6.2f} ms  (target < 5 ms)")
    print(
        f"  engine.evaluate alone:           median {statistics.median(alone):6.2f} ms, "
        f"p95 {sorted(alone)[int(len(alone) * 0.95)]:6.2f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

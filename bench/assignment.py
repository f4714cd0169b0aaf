"""An assignment decision with 200 available agents: time per decision, and per assignment.

    .venv/bin/python bench/assignment.py                  # SQLite, 200 agents
    .venv/bin/python bench/assignment.py --db postgres --agents 200 --tickets 2000

Builds its own database (SQLite under $TMPDIR/atiende-bench/assignment, or the PostgreSQL
database ``atiende_bench_assign``, created afresh), one group of ``--agents`` online agents
(each with languages, skills and a capacity) holding ``--tickets`` open tickets between them,
then times (wall clock, and this process's CPU time: the bench machine is often shared), for
each strategy, ``engine.preview`` (the decision alone: the group's row lock,
the ticket's routing facts, the available agents, their loads, the choice; rolled back) and
``engine.assign`` (the decision plus the write through ``tickets.services``). Target: a
decision under 5 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

from common import PG_SERVER, WORK_DIR, Figure, print_figure

PG_DATABASE = "atiende_bench_assign"
STRATEGIES = ("round_robin", "least_load", "skills", "affinity")
TAGS = ("billing", "printer", "network", "vpn", "email", "refund", "login", "mobile")


def configure(db: str) -> None:
    """Point Django at a fresh database of the bench's own."""
    directory = WORK_DIR / "assignment"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "atiende.settings",
            "ATIENDE_DATA_DIR": str(directory),
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    if db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}"')
            conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}"
    src = str(Path(__file__).resolve().parents[1] / "src")
    if src not in sys.path:
        sys.path.insert(0, src)


def build(agents: int, tickets: int) -> tuple[int, list[int]]:
    """The group, its agents and their open tickets, through the services; return the group
    id and the customers' ids."""
    from atiende.accounts import services as accounts
    from atiende.accounts.models import Group, Role
    from atiende.automation.assignment.config import configure_assignment
    from atiende.core.actor import Actor, Source
    from atiende.tickets import services as ticket_services

    system = Actor.system("bench")
    rng = random.Random(14)
    group = Group.objects.create(name="Bench team")
    agent_ids = []
    for n in range(agents):
        agent = accounts.create_user(
            system, email=f"agent{n}@bench.test", role=Role.AGENT, name=f"Agent {n}"
        )
        agent.groups.add(group)
        accounts.update_availability(
            system,
            user_id=agent.pk,
            changes={
                "languages": rng.sample(["es", "en", "pt", "fr"], 2),
                "skill_tags": rng.sample(TAGS, 3),
                "capacity": rng.choice([None, 50, 100]),
            },
        )
        accounts.set_agent_status(
            Actor(user=agent, source=Source.WEB), user_id=agent.pk, status="online"
        )
        agent_ids.append(agent.pk)
    customers = [
        accounts.create_user(system, email=f"customer{n}@bench.test", role=Role.CUSTOMER).pk
        for n in range(100)
    ]
    from atiende.accounts.models import User

    people = {u.pk: u for u in User.objects.filter(pk__in=customers)}
    for n in range(tickets):
        ticket_services.open_ticket(
            system,
            subject=f"Open ticket {n}",
            body="Something is broken.",
            requester=people[rng.choice(customers)],
            group_id=group.pk,
            assignee_id=rng.choice(agent_ids),
            tags=rng.sample(TAGS, 1),
        )
    configure_assignment(system, group_id=group.pk, strategy="least_load")
    return group.pk, customers


def measure(group_id: int, customers: list[int], rounds: int) -> list[Figure]:
    from atiende.accounts.models import User
    from atiende.automation.assignment import engine
    from atiende.automation.assignment.config import configure_assignment
    from atiende.core.actor import Actor
    from atiende.tickets import services as ticket_services

    system = Actor.system("bench")
    rng = random.Random(6)
    people = {u.pk: u for u in User.objects.filter(pk__in=customers)}
    figures = []
    for strategy in STRATEGIES:
        configure_assignment(system, group_id=group_id, strategy="manual")
        waiting = [
            ticket_services.open_ticket(
                system,
                subject="Waiting",
                body="Hola, el sistema no funciona desde esta mañana, ¿pueden ayudarnos?",
                requester=people[rng.choice(customers)],
                group_id=group_id,
                tags=rng.sample(TAGS, 2),
            ).pk
            for _ in range(rounds)
        ]
        configure_assignment(system, group_id=group_id, strategy=strategy)
        for ticket_id in waiting[:5]:  # warm up
            engine.preview(ticket_id)
        decide, assign, cpu = [], [], []
        for ticket_id in waiting:
            began, began_cpu = time.perf_counter(), time.process_time()
            engine.preview(ticket_id)
            decide.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
        for ticket_id in waiting:
            began = time.perf_counter()
            engine.assign(ticket_id=ticket_id)
            assign.append((time.perf_counter() - began) * 1000)
        # This process's CPU time: what the decision costs when the machine is not shared
        # (on SQLite it includes the database's work; on PostgreSQL the server's is apart).
        decision = Figure.from_samples(
            f"decision, {strategy}", decide, note=f"cpu median {statistics.median(cpu):.1f} ms"
        )
        decision.check(p95_below=5)
        figures += [decision, Figure.from_samples(f"decision + write, {strategy}", assign)]
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--tickets", type=int, default=2000, help="open tickets already held")
    parser.add_argument("--rounds", type=int, default=200, help="decisions timed per strategy")
    args = parser.parse_args()
    configure(args.db)

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    group_id, customers = build(args.agents, args.tickets)
    from django.db import connection

    if connection.vendor == "postgresql":  # a live database has statistics (autovacuum)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"{args.db}: {args.agents} agents, {args.tickets} open tickets "
        f"(built in {time.perf_counter() - began:.1f} s)"
    )
    for figure in measure(group_id, customers, args.rounds):
        print_figure(figure)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The SLA sweep with 1,000,000 open tickets' timers of which 1,000 are due (PostgreSQL).

Prints figures; asserts nothing. Uses its own database, never the development one:

    .venv/bin/python bench/sla_sweep.py                 # database atiende_bench_sla
    .venv/bin/python bench/sla_sweep.py --tickets 100000 --due 1000 --repeat 7

Seeding writes tickets and timers with ``INSERT … SELECT generate_series`` (a throwaway
shortcut around the services; the policy and calendar go through the services). Each run
marks ``--due`` timers due (their breach and an escalation level at hand) and times one
``sla.services.sweep.sweep`` call: the indexed read of the due timers, the processing, the
history rows, the timer update and the events, in one transaction.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

PG_URL = "postgres://postgres@127.0.0.1:5432/atiende_bench_sla"


def setup() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import psycopg

    with psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = 'atiende_bench_sla'"
        ).fetchone():
            conn.execute("CREATE DATABASE atiende_bench_sla")
    os.environ["DATABASE_URL"] = PG_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atiende.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def seed(count: int) -> int:
    """``count`` open tickets, each with a running resolution timer due in the future; the
    policy's id."""
    from django.db import connection

    from atiende.accounts.models import Role
    from atiende.accounts.services import create_user
    from atiende.core.actor import Actor
    from atiende.sla.models import SlaPolicy, SlaTimer
    from atiende.sla.services.policies import create_policy
    from atiende.tickets.models import Priority, Status

    system = Actor.system("bench")
    policy = SlaPolicy.objects.filter(name="Bench").first()
    if policy is None:
        from atiende.sla import escalation

        escalation.use_action_validator(None)  # whatever action types are registered
        policy = create_policy(
            system,
            name="Bench",
            targets=[{"priority": "normal", "kind": "resolution", "minutes": 480}],
            escalations=[
                {"kind": "resolution", "level": 1, "minutes": 0, "actions": [{"type": "notify"}]}
            ],
        )
    have = SlaTimer.objects.count()
    if have >= count:
        return policy.pk
    from atiende.accounts.models import User

    customer = User.objects.filter(email="bench-sla@example.com").first() or create_user(
        system, email="bench-sla@example.com", password="x" * 12, role=Role.CUSTOMER, name="B"
    )
    status = Status.objects.get(key="open").pk
    priority = Priority.objects.get(key="normal").pk
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO tickets_ticket (number, subject, requester_id, status_id, priority_id,
                type, channel, custom_fields, resolution, time_spent_seconds, version,
                language, sla_paused, created_at, updated_at, resolution_due_at)
            SELECT 50000000 + g, 'Bench ticket ' || g, %s, %s, %s, 'question', 'email', '{}',
                '', 0, 1, '', false, now(), now(), now() + interval '30 days'
            FROM generate_series(%s, %s) AS g
            """,
            [customer.pk, status, priority, have + 1, count],
        )
        cursor.execute(
            """
            INSERT INTO sla_slatimer (ticket_id, kind, policy_id, minutes, business_hours,
                started_at, anchor_at, used_seconds, due_at, warn_at, escalated_level,
                levels_at, next_check_at)
            SELECT t.id, 'resolution', %s, 480, false, now(), now(), 0,
                now() + interval '30 days', now() + interval '29 days', 0,
                jsonb_build_array(jsonb_build_array(1, to_char(now() + interval '30 days',
                    'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'))),
                now() + interval '29 days'
            FROM tickets_ticket t
            WHERE t.number > 50000000 + %s AND t.number <= 50000000 + %s
            """,
            [policy.pk, have, count],
        )
        cursor.execute("ANALYZE tickets_ticket")
        cursor.execute("ANALYZE sla_slatimer")
    print(f"seeded {count - have:,} tickets and timers in {time.perf_counter() - started:.1f} s")
    return policy.pk


def make_due(due: int) -> None:
    """Put ``due`` timers one minute past their breach (warned earlier; level 1 comes 30
    minutes after the breach): one step each, as a sweep every minute finds them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE sla_slatimer SET warned_at = now() - interval '20 minutes',
                breached_at = NULL, escalated_level = 0,
                due_at = now() - interval '1 minute', warn_at = now() - interval '21 minutes',
                levels_at = jsonb_build_array(jsonb_build_array(1, to_char(
                    (now() + interval '29 minutes') AT TIME ZONE 'UTC',
                    'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'))),
                next_check_at = now() - interval '1 minute'
            WHERE id IN (SELECT id FROM sla_slatimer ORDER BY id LIMIT %s)
            """,
            [due],
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup()
    from django.db import connection

    from atiende.sla.services.sweep import sweep

    seed(args.tickets)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sla_slatimer")
        (timers,) = cursor.fetchone() or (0,)
    print(f"timers: {timers:,}; due per run: {args.due:,}")
    figures = []
    for _ in range(args.repeat):
        make_due(args.due)
        started = time.perf_counter()
        done = sweep(batch=args.due)
        figures.append((time.perf_counter() - started) * 1000)
        assert done == args.due, done
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN SELECT id FROM sla_slatimer WHERE next_check_at <= now() "
            "ORDER BY next_check_at LIMIT 1000"
        )
        plan = " / ".join(row[0].strip() for row in cursor.fetchall()[:3])
    print(
        f"sweep of {args.due:,} due timers: median {statistics.median(figures):.0f} ms, "
        f"min {min(figures):.0f} ms, max {max(figures):.0f} ms over {args.repeat} runs"
    )
    print(f"plan: {plan}")


if __name__ == "__main__":
    main()

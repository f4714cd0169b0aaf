"""`make bench`: Atiende at 100k tickets on SQLite and PostgreSQL. Prints figures, asserts nothing.

    .venv/bin/python bench/run.py                          # both databases, 100,000 tickets
    .venv/bin/python bench/run.py --db sqlite --tickets 20000
    .venv/bin/python bench/run.py --db postgres --reload   # rebuild the fixture first
    make bench BENCH_ARGS="--db sqlite --skip-create"

For each database: load the fixture (or reuse it), time API reads in-process for an admin and
for an agent limited to 3 of 10 groups, then ticket creation over HTTP at concurrency 8. The
databases are the bench's own: SQLite under $TMPDIR/atiende-bench/sqlite, PostgreSQL database
``atiende_bench`` on 127.0.0.1:5432 (dropped and created again on load). With ``--db both``
each database runs in a child process (Django reads its database from the environment once),
and a summary of both ends the output.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from common import DATABASES, Figure, configure_environment, fmt, verdict


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Atiende benchmark: load, API reads, concurrent creates.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", choices=[*DATABASES, "both"], default="both")
    parser.add_argument("--tickets", type=int, default=100_000, help="fixture size")
    parser.add_argument("--reload", action="store_true", help="rebuild the fixture even if loaded")
    parser.add_argument("--skip-create", action="store_true", help="skip the HTTP create run")
    parser.add_argument("--iterations", type=int, default=200, help="timed requests per read")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per read first")
    parser.add_argument("--create-seconds", type=float, default=15.0)
    parser.add_argument("--create-concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--profile", action="store_true", help="cProfile reads that miss")
    parser.add_argument("--explain", action="store_true", help="plans of search/slow queries")
    parser.add_argument("--results", type=Path, help=argparse.SUPPRESS)  # child -> parent
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    began = time.perf_counter()
    if args.db == "both":
        results = {db: run_child(db, argv or sys.argv[1:]) for db in DATABASES}
    else:
        results = {args.db: run_one(args)}
    print_summary(results, args.tickets)
    print(f"\nTotal time: {time.perf_counter() - began:.0f} s")
    failed = [db for db, figures in results.items() if figures is None]
    return 1 if failed else 0


def run_child(db: str, argv: list[str]) -> list[dict[str, Any]] | None:
    """Run one database in a fresh interpreter; return its figures (None if it failed)."""
    passed = _without_db(argv)
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        results = Path(handle.name)
    try:
        code = subprocess.call(
            [sys.executable, __file__, "--db", db, "--results", str(results), *passed]
        )
        if code != 0 or not results.stat().st_size:
            print(f"{db}: the benchmark failed (exit code {code})", flush=True)
            return None
        figures: list[dict[str, Any]] = json.loads(results.read_text())
        return figures
    finally:
        results.unlink(missing_ok=True)


def _without_db(argv: list[str]) -> list[str]:
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--db":
            skip = True
        elif not arg.startswith("--db="):
            out.append(arg)
    return out


def machine_note() -> str:
    """Cores and how busy other processes keep them (sampled for 1 s while we sit idle).

    Figures taken while something else runs (a test suite, another benchmark) are slower and
    not comparable: the note says so.
    """

    def cpu_times() -> tuple[int, int]:
        with open("/proc/stat") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
        idle = values[3] + values[4]  # idle + iowait
        return sum(values) - idle, sum(values)

    try:
        busy0, total0 = cpu_times()
        time.sleep(1.0)
        busy1, total1 = cpu_times()
    except OSError:
        return f"{os.cpu_count()} cores"
    busy = (busy1 - busy0) / max(1, total1 - total0)
    note = f"{os.cpu_count()} cores, {busy:.0%} busy with other work"
    if busy > 0.10:
        note += " (BUSY: other processes compete for the CPU; figures will be slower)"
    return note


def run_one(args: argparse.Namespace) -> list[dict[str, Any]]:
    env = configure_environment(args.db)
    # The server collects static files on start; in-process requests do not need them.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import fixture

    print(f"\n=== {args.db}: {args.tickets:,} tickets x 3 messages ===", flush=True)
    print(f"Machine: {machine_note()}", flush=True)
    if args.reload:
        fixture.recreate_database(args.db)
    else:
        fixture.ensure_database(args.db)

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    figures: list[Figure] = []
    if not args.reload and fixture.is_loaded(args.tickets):
        print("Reusing the loaded database (--reload rebuilds it)", flush=True)
    else:
        if not args.reload:  # something else is in there: start from nothing
            from django.db import connections

            connections.close_all()
            fixture.recreate_database(args.db)
            call_command("migrate", verbosity=0)
        print("Loading the fixture (bulk_create; see bench/fixture.py)", flush=True)
        loaded = fixture.load(args.tickets)
        figures.append(
            Figure(
                "load rows (bulk_create)",
                rate=loaded.tickets / loaded.rows_seconds,
                unit="tickets/s",
                count=loaded.tickets,
                note=f"{loaded.messages:,} messages, {loaded.rows_seconds:.1f} s",
            )
        )
        figures.append(
            Figure(
                "load search index (index_tickets)",
                rate=loaded.tickets / loaded.index_seconds,
                unit="tickets/s",
                count=loaded.tickets,
                note=f"{loaded.index_seconds:.1f} s",
            )
        )
    figures.append(data_size(args.db))

    import gc

    from atiende.core.startup import settle

    gc.collect()  # the fixture's objects are garbage now
    settle()  # as each server process does before serving (see atiende.core.startup)

    import reads

    print(f"Machine: {machine_note()}", flush=True)
    figures += reads.measure(
        iterations=args.iterations,
        warmup=args.warmup,
        profile=args.profile,
        explain=args.explain,
    )
    import workspace

    figures += workspace.measure(iterations=args.iterations, warmup=args.warmup)
    if not args.skip_create:
        import creates

        print(f"Machine: {machine_note()}", flush=True)
        try:
            figure = creates.measure(
                args.db,
                env,
                seconds=args.create_seconds,
                warmup=2.0,
                concurrency=args.create_concurrency,
            )
            figures.append(figure)
        finally:
            trimmed = fixture.trim_created(args.tickets)
            print(f"  removed the {trimmed:,} tickets created by the run", flush=True)
    out = [figure.as_dict() for figure in figures]
    if args.results:
        args.results.write_text(json.dumps(out))
    return out


def data_size(db: str) -> Figure:
    """Row counts and the size of the database on disk."""
    from django.db import connection

    from atiende.accounts.models import User
    from atiende.tickets.models import Message, Ticket

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            row = cursor.fetchone()
            size = int(row[0]) if row else 0
        else:
            cursor.execute(
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
            )
            row = cursor.fetchone()
            size = int(row[0]) if row else 0
    tickets, messages, users = Ticket.objects.count(), Message.objects.count(), User.objects.count()
    note = f"{tickets:,} tickets, {messages:,} messages, {users:,} users, {size / 2**20:,.0f} MiB"
    print(f"Data: {note}", flush=True)
    return Figure("data", count=tickets, note=note, extra={"bytes": size, "messages": messages})


def print_summary(results: dict[str, list[dict[str, Any]] | None], tickets: int) -> None:
    """One table: every figure, per database, with its target and verdict."""
    names: list[str] = []
    by_db: dict[str, dict[str, dict[str, Any]]] = {}
    for db, figures in results.items():
        by_db[db] = {}
        for figure in figures or []:
            if figure["name"] == "data":
                continue
            by_db[db][figure["name"]] = figure
            if figure["name"] not in names:
                names.append(figure["name"])
    dbs = list(results)
    print(f"\n=== Summary: {tickets:,} tickets x 3 messages, medians / p95 in ms ===")
    header = f"{'figure':<36}" + "".join(f"{db:>28}" for db in dbs) + "  target"
    print(header)
    print("-" * len(header) + "-" * 30)
    for name in names:
        line, target = f"{name:<36}", ""
        for db in dbs:
            figure = by_db[db].get(name)
            line += f"{_cell(figure):>28}"
            if figure and figure["target"]:
                target = figure["target"]
        print(f"{line}  {target}")
    for db in dbs:
        figures = results[db]
        if figures is None:
            print(f"{db}: FAILED")
            continue
        sizes = [f for f in figures if f["name"] == "data"]
        misses = [f["name"] for f in figures if f["ok"] is False]
        if sizes:
            print(f"{db}: {sizes[0]['note']}")
        print(f"{db}: {'all targets met' if not misses else 'MISSED: ' + '; '.join(misses)}")


def _cell(figure: dict[str, Any] | None) -> str:
    if figure is None:
        return "-"
    mark = verdict(figure["ok"])
    mark = f" {mark}" if mark else ""
    if not math.isnan(figure["rate"]):
        text = f"{fmt(figure['rate'], 0)}/s"
        if not math.isnan(figure["median_ms"]):
            text += f" {fmt(figure['median_ms'])}/{fmt(figure['p95_ms'])}"
        if figure["errors"]:
            text += f" err={figure['errors']}"
        return text + mark
    text = f"{fmt(figure['median_ms'])} / {fmt(figure['p95_ms'])}"
    if figure["errors"]:
        text += f" err={figure['errors']}"
    return text + mark


if __name__ == "__main__":
    sys.exit(main())

"""Email import end to end: a Maildir of varied mail through `atiende mail import`.

    .venv/bin/python bench/mail_import.py                 # SQLite, 10,000 messages, 2 processes
    .venv/bin/python bench/mail_import.py --db postgres
    .venv/bin/python bench/mail_import.py --messages 2000 --profile  # where the time goes

Builds (once, then reuses) a Maildir per process under $TMPDIR/atiende-bench/mail-<n>:
corpus messages from ../shared/conformance/email (with fresh Message-IDs) and synthetic mail —
new questions in plain text, HTML and Latin-1, replies that quote and thread into earlier
messages, Cc'd colleagues, attachments and inline images, auto-replies. Conversations are split
between the processes so every reply is imported after its question. Each run starts from an
empty database (SQLite under $TMPDIR/atiende-bench/mail-sqlite, PostgreSQL database
``atiende_bench_mail``), imports with N `atiende mail import` processes (raw stored, parsed,
threaded, written and indexed) and prints the rate, sizes and outcome counts. ``--profile``
runs one process in-process under cProfile instead and prints the top costs.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import cProfile
import io
import os
import pstats
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from common import PG_SERVER, REPO, VENV_BIN, WORK_DIR

# ATIENDE_BENCH_PG_DATABASE names another database, so parallel runs do not drop each other's.
PG_DATABASE = os.environ.get("ATIENDE_BENCH_PG_DATABASE", "atiende_bench_mail")
MAILBOX = "support@bench.test"
CORPUS = REPO.parent / "shared" / "conformance" / "email" / "messages"
TEXT = (
    "printer invoice password login error screen order refund delivery account server "
    "factura contraseña pedido envío cuenta error pantalla impresora reembolso servidor "
    "urgent please help broken slow again since yesterday today cannot works"
)
WORDS = TEXT.split()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--batch", type=int, default=100, help="messages per transaction")
    parser.add_argument("--profile", action="store_true", help="one process, under cProfile")
    parser.add_argument("--top", type=int, default=35, help="profile lines to print")
    parser.add_argument(
        "--statements",
        action="store_true",
        help="one process, SQL statements per message by kind (and their time in the driver)",
    )
    parser.add_argument(
        "--breakdown", action="store_true", help="one process, wall time per stage (no profiler)"
    )
    return parser.parse_args()


# --- the Maildir --------------------------------------------------------------------------


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def corpus_messages() -> list[bytes]:
    return [p.read_bytes() for p in sorted(CORPUS.glob("*/*.eml"))] if CORPUS.is_dir() else []


class Builder:
    """Deterministic varied mail; conversations remember their last Message-ID and text."""

    def __init__(self, seed: int, shards: int) -> None:
        self.rng = random.Random(seed)
        self.shards = shards
        self.corpus = corpus_messages()
        self.open: list[list[dict[str, str]]] = [[] for _ in range(shards)]
        self.count = 0
        self.clock = datetime(2026, 1, 5, 9, tzinfo=UTC)

    def next(self) -> tuple[int, bytes]:
        """(shard, raw) of the next message."""
        self.count += 1
        self.clock += timedelta(seconds=self.rng.randint(5, 300))
        roll = self.rng.random()
        shard = self.rng.randrange(self.shards)
        if roll < 0.08 and self.corpus:
            return shard, self.corpus_copy()
        if roll < 0.55 and self.open[shard]:
            return shard, self.reply(shard)
        if roll < 0.60:
            return shard, self.auto_reply()
        return shard, self.question(shard)

    def corpus_copy(self) -> bytes:
        raw = self.rng.choice(self.corpus)
        return f"Message-ID: <corpus-{self.count}@bench.test>\r\n".encode() + raw

    def base(self, sender: str, subject: str) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = MAILBOX
        msg["Subject"] = subject
        msg["Date"] = format_datetime(self.clock)
        msg["Message-ID"] = f"<m{self.count}@{sender.split('@')[1].rstrip('>')}>"
        return msg

    def question(self, shard: int) -> bytes:
        rng = self.rng
        customer = rng.randrange(3000)
        domain = f"client{customer % 300}.test"
        sender = f"Cliente {customer} <c{customer}@{domain}>"
        text = "\n\n".join(sentence(rng, rng.randint(8, 30)) for _ in range(rng.randint(1, 4)))
        msg = self.base(sender, sentence(rng, rng.randint(3, 8))[:-1])
        if rng.random() < 0.15:
            msg["Cc"] = f"colleague{customer % 500}@{domain}"
        kind = rng.random()
        if kind < 0.10:
            msg.set_content(text + "\n\nSaludos, señor Núñez", charset="iso-8859-1")
        else:
            msg.set_content(text + f"\n\n-- \nCliente {customer}\n")
        if 0.10 <= kind < 0.45:
            paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
            msg.add_alternative(f"<html><body>{paragraphs}</body></html>", subtype="html")
            if kind < 0.16:
                png = b"\x89PNG\r\n\x1a\n" + rng.randbytes(2000)
                html = msg.get_payload()[1]
                html.set_content(
                    f'<html><body>{paragraphs}<img src="cid:img{self.count}@bench"></body></html>',
                    subtype="html",
                )
                html.add_related(png, "image", "png", cid=f"<img{self.count}@bench>")
        if rng.random() < 0.15:
            pdf = b"%PDF-1.4\n" + base64.b64encode(rng.randbytes(rng.randint(2_000, 60_000)))
            msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="report.pdf")
        self.open[shard].append(
            {"id": msg["Message-ID"], "sender": sender, "subject": msg["Subject"], "text": text}
        )
        if len(self.open[shard]) > 400:
            self.open[shard].pop(0)
        return msg.as_bytes()

    def reply(self, shard: int) -> bytes:
        rng = self.rng
        conv = rng.choice(self.open[shard])
        answer = sentence(rng, rng.randint(5, 25))
        quoted = "\n".join("> " + line for line in conv["text"].splitlines())
        date = format_datetime(self.clock - timedelta(hours=1))
        body = f"{answer}\n\nOn {date}, Soporte <{MAILBOX}> wrote:\n{quoted}\n"
        msg = self.base(conv["sender"], "Re: " + conv["subject"].removeprefix("Re: "))
        msg["In-Reply-To"] = conv["id"]
        msg["References"] = conv["id"]
        msg.set_content(body)
        if rng.random() < 0.2:
            msg.add_alternative(
                f"<div>{answer}</div><div class='gmail_quote'>On … wrote:"
                f"<blockquote>{conv['text']}</blockquote></div>",
                subtype="html",
            )
        conv.update(id=msg["Message-ID"], subject=msg["Subject"], text=answer)
        return msg.as_bytes()

    def auto_reply(self) -> bytes:
        customer = self.rng.randrange(3000)
        msg = self.base(f"c{customer}@client{customer % 300}.test", "Out of office")
        msg["Auto-Submitted"] = "auto-replied"
        msg.set_content("I am out of the office until Monday.")
        return msg.as_bytes()


def build_maildirs(messages: int, shards: int) -> list[Path]:
    root = WORK_DIR / f"mail-{messages}-{shards}"
    folders = [root / f"shard{k}" for k in range(shards)]
    if (root / "done").exists():
        return folders
    shutil.rmtree(root, ignore_errors=True)
    for folder in folders:
        for sub in ("cur", "new", "tmp"):
            (folder / sub).mkdir(parents=True)
    builder = Builder(seed=42, shards=shards)
    for seq in range(messages):
        shard, raw = builder.next()
        (folders[shard] / "new" / f"{seq:08d}.bench").write_bytes(raw)
    (root / "done").touch()
    return folders


# --- the database -------------------------------------------------------------------------


def environment(db: str) -> dict[str, str]:
    data = WORK_DIR / f"mail-{db}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "atiende.settings",
        "ATIENDE_DATA_DIR": str(data),
        "DEBUG": "0",
    }
    env.pop("ATIENDE_TASKS_IMMEDIATE", None)
    if db == "postgres":
        env["DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}"
    else:
        env.pop("DATABASE_URL", None)
    return env


def reset(db: str, env: dict[str, str]) -> None:
    data = Path(env["ATIENDE_DATA_DIR"])
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    if db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    atiende = str(VENV_BIN / "atiende")
    subprocess.run([atiende, "manage", "migrate", "-v", "0"], env=env, check=True)
    code = (
        "from atiende.messaging.models import Mailbox\n"
        f"Mailbox.objects.create(address='{MAILBOX}', inbound_method='upload')\n"
    )
    subprocess.run([atiende, "manage", "shell", "-c", code], env=env, check=True)


def summary(env: dict[str, str], db: str) -> str:
    code = """
from django.db import connection
from django.db.models import Count
from atiende.messaging.models import InboundMessage
from atiende.tickets.models import Attachment, Message, Ticket
states = dict(InboundMessage.objects.values_list("state").annotate(n=Count("pk")))
threaded = Ticket.objects.annotate(n=Count("messages")).filter(n__gt=1).count()
print(f"rows {InboundMessage.objects.count()} {states}")
print(f"tickets {Ticket.objects.count()} (with replies {threaded}), messages "
      f"{Message.objects.count()}, attachments {Attachment.objects.count()}")
"""
    atiende = str(VENV_BIN / "atiende")
    out = subprocess.run(
        [atiende, "manage", "shell", "-c", code], env=env, check=True, capture_output=True
    ).stdout.decode()
    if db == "sqlite":
        path = Path(env["ATIENDE_DATA_DIR"]) / "atiende.sqlite3"
        out += f"database {path.stat().st_size / 1e6:.1f} MB (+ WAL)\n"
    return out


def import_all(folders: list[Path], env: dict[str, str], batch: int) -> tuple[float, list[str]]:
    """Run one importer per folder; their output goes to files, not pipes: a pipe nobody
    reads yet fills, blocks its writer inside a transaction and the other importer with it."""
    atiende = str(VENV_BIN / "atiende")
    with contextlib.ExitStack() as stack:
        logs = [stack.enter_context(tempfile.TemporaryFile()) for _ in folders]
        started = time.monotonic()
        children = [
            subprocess.Popen(
                [
                    atiende,
                    "mail",
                    "import",
                    str(folder),
                    "--mailbox",
                    MAILBOX,
                    "--batch",
                    f"{batch}",
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            for folder, log in zip(folders, logs, strict=True)
        ]
        for child in children:
            child.wait()
        elapsed = time.monotonic() - started
        outputs = []
        for log in logs:
            log.seek(0)
            outputs.append(log.read().decode().strip())
    return elapsed, outputs


def in_process(env: dict[str, str]) -> None:
    """Run the import in this process (the one-process modes): its environment, Django set up."""
    os.environ.clear()
    os.environ.update(env)
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()


def profile(folder: Path, env: dict[str, str], top: int) -> None:
    in_process(env)
    from django.core.management import call_command

    profiler = cProfile.Profile()
    started = time.monotonic()
    profiler.enable()
    call_command("mail_import", str(folder), mailbox=MAILBOX)
    profiler.disable()
    print(f"profiled run: {time.monotonic() - started:.1f} s (with profiler overhead)")
    saved = WORK_DIR / "mail-import.prof"
    profiler.dump_stats(saved)
    print(f"profile saved to {saved} (pstats: print_callers, print_callees)")
    for order, only in (("tottime", ""), ("cumulative", ""), ("cumulative", "atiende/")):
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream).sort_stats(order)
        stats.print_stats(*([only] if only else []), top)
        print(f"--- top {top} by {order} {only}")
        print("\n".join(stream.getvalue().splitlines()[6:]))


# Stages timed by --breakdown: (module, attribute) as the caller looks it up.
STAGES = [
    ("atiende.messaging.management.commands.mail_import", "parse", "parse (stdlib email + ours)"),
    ("atiende.messaging.management.commands.mail_import", "store_raw", "store raw row"),
    ("atiende.messaging.management.commands.mail_import", "process_row", "process (all below)"),
    ("atiende.messaging.inbound.writing", "find_or_create_customer", "  customer (sender + Cc)"),
    ("atiende.messaging.inbound.writing", "find_thread", "  threading lookups"),
    ("atiende.messaging.inbound.writing", "open_ticket", "  open_ticket"),
    ("atiende.messaging.inbound.writing", "add_channel_message", "  reply (add_channel_message)"),
    ("atiende.messaging.inbound.writing", "write_files", "  attachments to storage"),
    ("atiende.messaging.inbound.writing", "attach_file", "  attachments recorded"),
    ("atiende.messaging.inbound.writing", "_follow", "  followers (Cc)"),
    ("atiende.search.subscribers", "index_ticket", "    search index (in transaction)"),
    ("atiende.outbox.store", "insert", "    outbox rows (in transaction)"),
    ("atiende.realtime.subscribers", "append_ticket_event", "    live event log (in transaction)"),
    ("atiende.core.events", "dispatch", "after-commit subscribers"),
    ("atiende.outbox.delivery", "deliver", "after-commit outbox delivery"),
]


def breakdown(folder: Path, env: dict[str, str]) -> None:
    in_process(env)
    import importlib

    from django.core.management import call_command

    spent: dict[str, list[float]] = {}

    def timed(label: str, func: object) -> object:
        def wrapper(*args: object, **kwargs: object) -> object:
            started = time.perf_counter()
            try:
                return func(*args, **kwargs)  # type: ignore[operator]
            finally:
                spent.setdefault(label, []).append(time.perf_counter() - started)

        return wrapper

    for module_name, attribute, label in STAGES:
        module = importlib.import_module(module_name)
        setattr(module, attribute, timed(label, getattr(module, attribute)))
    started = time.perf_counter()
    call_command("mail_import", str(folder), mailbox=MAILBOX)
    total = time.perf_counter() - started
    count = len(spent.get("parse (stdlib email + ours)", [])) or 1
    print(f"{count} messages in {total:.1f} s: {total / count * 1000:.1f} ms per message")
    for _module, _attribute, label in STAGES:
        values = spent.get(label, [])
        print(f"  {label:<38} {sum(values) / count * 1000:7.2f} ms/msg  ({len(values)} calls)")


def server_cpu_reader(connection: Any) -> Any:
    """A function giving the CPU seconds used so far by this connection's PostgreSQL backend
    (a process on this machine); always 0 on SQLite, whose work is the importer's own."""
    if connection.vendor != "postgresql":
        return lambda: 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    ticks = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    return read


def statements(folder: Path, env: dict[str, str]) -> None:
    in_process(env)
    from django.core.management import call_command
    from django.db import connection

    seen: dict[str, list[float]] = {}

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            words = sql.replace('"', "").split()
            table = next((w for w in words[1:8] if "_" in w and w.islower()), "")
            kind = f"{words[0]} {table}" if words else "?"
            if words and words[0] in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
                kind = words[0]
            seen.setdefault(kind, []).append(time.perf_counter() - started)

    server = server_cpu_reader(connection)
    started, cpu, server_cpu = time.perf_counter(), time.process_time(), server()
    with connection.execute_wrapper(count):
        call_command("mail_import", str(folder), mailbox=MAILBOX)
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    server_cpu = server() - server_cpu
    messages = len(list((folder / "new").iterdir())) or 1
    run = sum(len(v) for v in seen.values()) / messages
    print(f"{messages} messages in {total:.1f} s; {run:.1f} statements per message")
    # The machine may be shared: CPU per message is steadier than wall time. Two cores give
    # 200 msg/s only if importer + server CPU stays under 10 ms a message.
    print(
        f"  importer CPU {cpu / messages * 1000:.2f} ms/msg, database server CPU "
        f"{server_cpu / messages * 1000:.2f} ms/msg (wall {total / messages * 1000:.2f})"
    )
    for kind, times in sorted(seen.items(), key=lambda kv: -len(kv[1])):
        per = len(times) / messages
        print(f"  {per:6.2f}/msg  {sum(times) / messages * 1000:6.3f} ms/msg in driver  {kind}")


def main() -> None:
    args = parse_args()
    shards = 1 if args.profile or args.breakdown or args.statements else args.processes
    folders = build_maildirs(args.messages, shards)
    size = sum(f.stat().st_size for d in folders for f in (d / "new").iterdir())
    print(f"Maildir: {args.messages} messages, {size / 1e6:.1f} MB in {len(folders)} part(s)")
    env = environment(args.db)
    reset(args.db, env)
    if args.profile:
        profile(folders[0], env, args.top)
        return
    if args.breakdown:
        breakdown(folders[0], env)
        return
    if args.statements:
        statements(folders[0], env)
        return
    seconds, outputs = import_all(folders, env, args.batch)
    for output in outputs:
        print("  " + output.replace("\n", "\n  "))
    print(summary(env, args.db), end="")
    rate = args.messages / seconds
    importing = importing_seconds(outputs)
    print(
        f"{args.db}: {args.messages} messages ({size / 1e6:.1f} MB) in {seconds:.1f} s with "
        f"{shards} process(es): {rate:.0f} msg/s, {size / 1e6 / seconds:.2f} MB/s; "
        f"start-up excluded {args.messages / importing:.0f} msg/s"
    )


def importing_seconds(outputs: list[str]) -> float:
    """The longest time an importer says it spent importing (its last line: "… in 12.3 s
    (…)", in either language): the wall time less the processes' start-up, which grows with
    what the app loads and says nothing of the import's own speed."""
    found = [re.findall(r"(\d+(?:[.,]\d+)?) s \(", output) for output in outputs]
    seconds = [float(values[-1].replace(",", ".")) for values in found if values]
    return max(seconds, default=0.0) or 1e-9


if __name__ == "__main__":
    main()

"""``atiende mail import``: Maildir, mbox and single files, re-runs, and a kill -9 half-way."""

from __future__ import annotations

import mailbox
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from atiende.cli import main
from atiende.messaging.models import InboundMessage, InboundState, ThreadKey
from atiende.tickets import tally
from atiende.tickets.models import Message, Ticket
from tests.messaging.mail import SUPPORT, build, make_mailbox


def maildir_with(path: Path, messages: list[bytes]) -> Path:
    box = mailbox.Maildir(path, create=True)
    for raw in messages:
        box.add(raw)
    return path


def conversation(count: int) -> list[bytes]:
    """``count`` messages: every third one replies to the message before it."""
    out = []
    for i in range(count):
        parent = f"m{i - 1}@customer.test" if i % 3 else None
        out.append(
            build(
                sender=f"c{i // 3}@customer.test",
                subject=f"Question {i // 3}",
                body=f"Message number {i}",
                message_id=f"m{i}@customer.test",
                in_reply_to=parent,
            )
        )
    return out


@pytest.mark.django_db
def test_the_same_bytes_twice_in_one_batch_are_stored_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The duplicate is found inside the batch's transaction (ON CONFLICT, no savepoint), and
    the rest of the batch goes on."""
    make_mailbox()
    twice = conversation(3)
    folder = maildir_with(tmp_path / "md", [*twice, twice[0]])

    assert main(["mail", "import", str(folder), "--mailbox", SUPPORT]) == 0
    out = capsys.readouterr().out

    assert "3 stored, 1 duplicates, 3 processed" in out
    assert InboundMessage.objects.count() == 3 and Message.objects.count() == 3
    # The batch's tally moves, summed and written at its end, match the tickets.
    assert tally.kept() == tally.recount() and sum(tally.kept().values()) == 1


@pytest.mark.django_db
def test_import_a_maildir_then_again_finds_only_duplicates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_mailbox()
    folder = maildir_with(tmp_path / "md", conversation(6))

    assert main(["mail", "import", str(folder), "--mailbox", SUPPORT]) == 0
    first = capsys.readouterr().out
    assert main(["mail", "import", str(folder), "--mailbox", SUPPORT]) == 0
    second = capsys.readouterr().out

    assert "6 stored, 0 duplicates, 6 processed" in first and "msg/s" in first
    assert "0 stored, 6 duplicates, 0 processed" in second
    assert Ticket.objects.count() == 2 and Message.objects.count() == 6


@pytest.mark.django_db
def test_import_an_mbox_and_a_single_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_mailbox()
    box = mailbox.mbox(tmp_path / "all.mbox", create=True)
    for raw in conversation(3):
        box.add(raw)
    box.flush()
    single = tmp_path / "one.eml"
    single.write_bytes(build(message_id="single@customer.test", body="alone"))

    assert main(["mail", "import", str(tmp_path / "all.mbox"), "--mailbox", SUPPORT]) == 0
    assert main(["mail", "import", str(single)]) == 0

    out = capsys.readouterr().out
    assert "3 stored" in out and "1 stored" in out
    assert Message.objects.count() == 4


@pytest.mark.django_db
def test_import_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mail", "import", str(tmp_path / "missing")]) == 1
    assert main(["mail", "import", str(tmp_path), "--mailbox", "nobody@x.test"]) == 1
    assert main(["mail", "nosuchcommand"]) == 2

    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("atiende") for line in err)
    assert "nobody@x.test" in err[1] and "import" in err[2]


def test_mail_without_a_name_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mail", "--help"]) == 0
    assert "import" in capsys.readouterr().out


def database_url(settings_dict: dict[str, Any]) -> str:
    """The URL of the test database this process uses, for a second process."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    user, password = settings_dict["USER"], settings_dict["PASSWORD"]
    auth = f"{user}:{password}@" if password else f"{user}@"
    host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_import_killed_half_way_and_run_again_loses_and_duplicates_nothing(
    tmp_path: Path,
) -> None:
    total = 1000
    make_mailbox()
    folder = maildir_with(tmp_path / "md", conversation(total))
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "ATIENDE_DATA_DIR": str(tmp_path / "var"),
    }
    argv = [
        str(Path(sys.executable).with_name("atiende")),
        "mail",
        "import",
        str(folder),
        "--mailbox",
        SUPPORT,
    ]
    log = (tmp_path / "import.log").open("wb")
    first = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while InboundMessage.objects.count() < total // 3:
        assert first.poll() is None, (tmp_path / "import.log").read_text()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    killed_at = InboundMessage.objects.count()
    assert killed_at < total

    rerun = subprocess.run(argv, env=env, capture_output=True, timeout=600, check=False)
    log.close()
    assert rerun.returncode == 0, rerun.stderr.decode()

    rows = InboundMessage.objects.all()
    assert rows.count() == total
    assert not rows.exclude(state=InboundState.PROCESSED).exists(), list(
        rows.exclude(state=InboundState.PROCESSED).values_list("state", "reason")[:5]
    )
    assert Message.objects.count() == total
    assert rows.filter(ticket_message__isnull=False).count() == total
    inbound_keys = ThreadKey.objects.filter(outbound=False)  # outbound notifications add theirs
    assert inbound_keys.count() == total
    assert Ticket.objects.count() == -(-total // 3)
    keys = inbound_keys.values_list("message_id", flat=True)
    assert len(set(keys)) == total


@pytest.mark.django_db
def test_an_imported_agent_reply_is_not_mailed_to_the_customer_again(
    tmp_path: Path, on_commit: Any
) -> None:
    """An archive holds the agents' old answers: importing them must not send them anew."""
    from atiende.messaging.models import OutboundEmail
    from tests.factories import make_agent, make_group

    group = make_group()
    make_agent(group, email="agent@support.test")
    make_mailbox(group=group)
    question = build(message_id="q1@customer.test", body="Is the printer fixed?")
    answer = build(
        sender="Sam <agent@support.test>",
        subject="Re: The printer is on fire",
        body="Yes, fixed this morning.",
        message_id="a1@support.test",
        in_reply_to="q1@customer.test",
    )
    folder = maildir_with(tmp_path / "md", [question, answer])
    with on_commit():
        assert main(["mail", "import", str(folder), "--mailbox", SUPPORT]) == 0
    assert Ticket.objects.count() == 1
    reply = Message.objects.get(body_text__startswith="Yes, fixed")
    assert reply.author is not None and reply.author.is_agent and reply.public
    assert not OutboundEmail.objects.filter(ticket_message=reply).exists()


@pytest.mark.django_db
def test_importers_take_turns_through_a_file_lock_on_sqlite() -> None:
    """While one importer writes a batch, another waits on the lock (not in SQLite's busy
    handler), and gets its turn as soon as the first gives it away."""
    import fcntl

    from atiende.messaging.management.commands.mail_import import writer_turn

    if connection.vendor != "sqlite":
        with writer_turn() as give_turn:  # nothing to queue on: PostgreSQL has row locks
            give_turn()
        return
    path = Path(str(connection.settings_dict["NAME"]) + ".import-lock")
    with writer_turn() as give_turn, path.open("a") as other:
        with pytest.raises(BlockingIOError):
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        give_turn()
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free now
        fcntl.flock(other, fcntl.LOCK_UN)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_batch_that_loses_a_deadlock_is_redone_not_quarantined(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """PostgreSQL: another writer and the importer wait for each other; PostgreSQL aborts the
    importer. Its whole batch rolls back (freeing the other) and runs again: every message is
    processed, none quarantined for a fault that was nobody's."""
    if connection.vendor != "postgresql":
        pytest.skip("deadlocks between writers are PostgreSQL's (SQLite has one writer)")
    import threading

    import psycopg

    from atiende.messaging.inbound.pipeline import message_lock_key, parse

    make_mailbox()
    first, second = conversation(2)[0], build(sender="b@customer.test", message_id="b@x.test")
    folder = maildir_with(tmp_path / "md", [first, second])
    first_key, second_key = (message_lock_key(parse(raw).message_id) for raw in (first, second))
    db = connection.settings_dict
    other = psycopg.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"])
    # The importer is the one PostgreSQL picks: it checks for deadlocks after 1 s, other after 60.
    other.execute("SET deadlock_timeout = '60s'")
    other.execute("SELECT pg_advisory_xact_lock(%s)", [second_key])  # holds the 2nd message
    seen_waiting = threading.Event()

    def take_the_first_too() -> None:
        """Once the importer waits for the second message, wait for its first: a cycle."""
        with psycopg.connect(
            dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"], autocommit=True
        ) as watcher:
            for _ in range(600):
                waiting = watcher.execute(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                ).fetchone()
                if waiting and waiting[0]:
                    break
                time.sleep(0.05)  # polling another session's state, not a timer under test
        seen_waiting.set()
        other.execute("SELECT pg_advisory_xact_lock(%s)", [first_key])  # until the rollback
        other.commit()

    helper = threading.Thread(target=take_the_first_too)
    helper.start()
    try:
        assert main(["mail", "import", str(folder), "--mailbox", SUPPORT]) == 0
    finally:
        helper.join(timeout=30)
        other.close()
    captured = capsys.readouterr()
    assert seen_waiting.is_set()
    assert "deadlock" in captured.err
    assert "2 stored, 0 duplicates, 2 processed" in captured.out and "0 quarantined" in captured.out
    assert set(InboundMessage.objects.values_list("state", flat=True)) == {InboundState.PROCESSED}

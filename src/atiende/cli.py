"""The ``atiende`` command: run the helpdesk, load demo data, create admins and API tokens.

Every failure ends in one readable line on stderr and a non-zero exit code, never a
traceback (set ``ATIENDE_DEBUG=1`` to see one).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

from atiende.cli_admin import (
    createadmin,
    kb_reindex,
    keys_rotate,
    semantic_rebuild,
    tally_rebuild,
    token_create,
)
from atiende.cli_demo import load_demo_once
from atiende.cli_errors import CliError
from atiende.serving import default_web_workers

if TYPE_CHECKING:
    from atiende.runner import Child

SETTINGS = "atiende.settings"


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise CliError(f"{self.prog}: {message}", code=2, named=True)


def build_parser() -> Parser:
    from django.utils.translation import gettext as _

    parser = Parser(prog="atiende", description=_("Atiende, the omnichannel helpdesk."))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    commands.required = True

    run = commands.add_parser("run", help=_("Serve the web app with the worker and scheduler."))
    run.add_argument("--host", default="127.0.0.1", help=_("Address to listen on."))
    run.add_argument("--port", type=int, default=8000, help=_("Port to listen on."))
    run.add_argument(
        "--workers",
        type=int,
        default=default_web_workers(),
        help=_("Web server processes (default: twice the cores, 2 to 8)."),
    )
    run.add_argument(
        "--live-port",
        type=int,
        help=_("Port of the live updates server (WebSockets; default: the port after --port)."),
    )
    run.add_argument(
        "--demo",
        action="store_true",
        help=_("Load the demo data first if the helpdesk is brand new (no users yet)."),
    )

    commands.add_parser("demo", help=_("Load demo data into a brand-new helpdesk (no users)."))
    commands.add_parser("worker", help=_("Run background tasks (extra options go to db_worker)."))
    scheduler = commands.add_parser("scheduler", help=_("Enqueue periodic tasks on schedule."))
    scheduler.add_argument(
        "--heartbeat", action="store_true", help=_("Also log a heartbeat every minute.")
    )

    token = commands.add_parser("token", help=_("Manage API tokens."))
    token_commands = token.add_subparsers(
        dest="token_command", metavar="ACTION", parser_class=Parser
    )
    token_commands.required = True
    create = token_commands.add_parser("create", help=_("Create a token and print it."))
    create.add_argument("email", help=_("Email of the token's user."))
    create.add_argument("--name", default="", help=_("A name to recognise the token by."))

    keys = commands.add_parser("keys", help=_("Manage the key that encrypts mailbox secrets."))
    keys.add_argument(
        "action", choices=["rotate"], help=_("rotate: encrypt every stored secret with a new key.")
    )
    keys.add_argument(
        "--keep-old", action="store_true", help=_("Keep accepting the old keys after rotating.")
    )
    tallies = commands.add_parser("tally", help=_("Manage the inbox counts' rollup."))
    tallies.add_argument("action", choices=["rebuild"], help=_("rebuild: recount every tally."))
    semantic = commands.add_parser("semantic", help=_("Manage the meaning-based search index."))
    semantic.add_argument(
        "action", choices=["rebuild"], help=_("rebuild: embed every article and solved ticket.")
    )
    semantic.add_argument(
        "--kind",
        choices=["all", "article", "ticket"],
        default="all",
        help=_("Only articles or only tickets."),
    )
    kb = commands.add_parser("kb", help=_("Manage the knowledge base's search index."))
    kb.add_argument("action", choices=["reindex"], help=_("reindex: rebuild the search index."))
    admin = commands.add_parser("createadmin", help=_("Create an administrator."))
    admin.add_argument("email", help=_("Email to sign in with."))
    admin.add_argument("--password", help=_("Password (or set ATIENDE_ADMIN_PASSWORD)."))
    admin.add_argument("--name", default="", help=_("Full name."))

    commands.add_parser("manage", help=_("Run a Django management command."), add_help=False)
    commands.add_parser(
        "mail", help=_("Email commands: atiende mail NAME runs mail_NAME."), add_help=False
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``atiende`` command and return its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return _dispatch(args)
    except SystemExit as exit_:  # argparse --help, Django's management utility
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        if os.environ.get("ATIENDE_DEBUG"):
            raise
        print(_one_line(error), file=sys.stderr)
        return error.code if isinstance(error, CliError) else 1


def _one_line(error: Exception) -> str:
    """The error as one line starting with the program's name."""
    from django.core.exceptions import ValidationError
    from django.core.management import CommandError
    from django.utils.translation import gettext_noop

    from atiende.core.errors import AtiendeError

    if isinstance(error, AtiendeError):
        details = "; ".join(str(e.message) for e in error.errors if str(e.message) != str(error))
        text = f"{error.detail} {details}" if details else str(error.detail)
    elif isinstance(error, ValidationError):
        text = " ".join(str(m) for m in error.messages)
    elif isinstance(error, CliError | CommandError):
        text = str(error)
    else:
        hint = gettext_noop("%(kind)s: %(error)s (ATIENDE_DEBUG=1 shows the traceback)")
        text = _translated(hint) % {"kind": type(error).__name__, "error": error}
    text = " ".join(text.split())
    return text if isinstance(error, CliError) and error.named else f"atiende: {text}"


def _translated(message: str) -> str:
    """``gettext``, or the message as it is when Django could not be set up."""
    try:
        from django.utils.translation import gettext

        return gettext(message)
    except Exception:
        return message


def _setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    django.setup()


def _dispatch(args: list[str]) -> int:
    _setup()
    if args[:1] == ["manage"]:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["atiende manage", *args[1:]])
        return 0
    if args[:1] == ["mail"]:
        return mail(args[1:])
    from django.utils.translation import gettext as _

    parser = build_parser()
    options, extra = parser.parse_known_args(args)
    if extra and options.command not in ("worker", "scheduler"):
        parser.error(_("unrecognized arguments: %(args)s") % {"args": " ".join(extra)})
    handlers = {
        "run": run,
        "demo": demo,
        "worker": worker,
        "scheduler": scheduler,
        "token": token_create,
        "tally": tally_rebuild,
        "semantic": semantic_rebuild,
        "kb": kb_reindex,
        "keys": keys_rotate,
        "createadmin": createadmin,
    }
    return handlers[options.command](options, extra)


def mail_commands() -> dict[str, str]:
    """Email subcommands: every management command named ``mail_<name>``, by name → app."""
    from django.core.management import get_commands

    prefix = "mail_"
    return {
        name.removeprefix(prefix): app
        for name, app in sorted(get_commands().items())
        if name.startswith(prefix)
    }


def mail(args: list[str]) -> int:
    """``atiende mail NAME ...``: run the management command ``mail_NAME`` with the rest.

    Any app adds a subcommand by shipping ``management/commands/mail_<name>.py``.
    """
    from django.core.management import load_command_class
    from django.utils.translation import gettext as _

    available = mail_commands()
    if not args or args[0] in ("-h", "--help"):
        print(_("usage: atiende mail NAME [options]"))
        for name in available:
            print(f"  {name}")
        return 0 if args else 2
    name, rest = args[0], args[1:]
    if name not in available:
        raise CliError(
            _("atiende mail: unknown command %(name)s (choose from %(names)s)")
            % {"name": name, "names": ", ".join(available) or "-"},
            code=2,
            named=True,
        )
    command = load_command_class(available[name], f"mail_{name}")
    parser = command.create_parser("atiende mail", name)
    options = vars(parser.parse_args(rest))
    positional = options.pop("args", ())
    command.execute(*positional, **options)
    return 0


def run(options: argparse.Namespace, extra: list[str]) -> int:
    """Prepare the database and static files, then supervise the web and live servers, the
    worker and the scheduler."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.utils.translation import gettext as _

    from atiende.runner import Child, Supervisor
    from atiende.serving import live_command, web_command

    live_port = options.live_port or options.port + 1
    for port in (options.port, live_port):
        if not 0 < port < 65536:
            message = _("atiende run: %(port)d is not a port number (1-65535).") % {"port": port}
            raise CliError(message, code=2, named=True)
    if live_port == options.port:
        raise CliError(_("atiende run: --live-port must differ from --port."), code=2, named=True)
    print(_("Preparing the database…"), flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    if options.demo:
        load_demo_once(quiet_when_refused=True)
    from atiende.core.tasks import refresh_planner_statistics

    refresh_planner_statistics.call()  # fresh statistics for SQLite's planner; then nightly
    call_command("collectstatic", interactive=False, verbosity=0)
    connections.close_all()

    me = [sys.executable, "-m", "atiende.cli"]
    children = [
        Child("web", web_command(options.host, options.port, workers=options.workers)),
        Child("live", live_command(options.host, live_port)),
        Child("scheduler", [*me, "scheduler"], may_finish=True),
    ]
    if _queue_in_database():  # with immediate tasks (ATIENDE_TASKS_IMMEDIATE) nothing to run
        children.insert(1, Child("worker", [*me, "worker"]))
    children += _smtpd_children(me)
    env = {
        # Pages open the live socket on live_port, unless the environment says otherwise
        # (ATIENDE_LIVE_PORT empty: a proxy routes /ws/ on the page's own origin).
        "ATIENDE_LIVE_PORT": str(live_port),
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "ATIENDE_DATA_DIR": str(settings.DATA_DIR),
    }
    _print_welcome(options.host, options.port)
    return Supervisor(children, env=env).run()


def _smtpd_children(me: list[str]) -> list[Child]:
    """The SMTP receiver on ``ATIENDE_SMTPD`` (``off`` disables it). Unset, it listens on
    127.0.0.1:2525 and bows out quietly when that port is taken."""
    from atiende.runner import Child

    listen = os.environ.get("ATIENDE_SMTPD", "").strip()
    if listen.lower() in ("off", "no", "false", "0"):
        return []
    argv = [*me, "manage", "mail_smtpd", *(["--listen", listen] if listen else ["--optional"])]
    return [Child("smtpd", argv, may_finish=not listen)]


def _queue_in_database() -> bool:
    from django.tasks import task_backends
    from django_tasks_db import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)


def _print_welcome(host: str, port: int) -> None:
    from django.utils.translation import gettext as _

    from atiende.tickets.demo import demo_logins

    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104  # only displayed
    print(_("Atiende is running at %(url)s") % {"url": f"http://{shown}:{port}/"})
    if demo_logins():
        print(
            _(
                "This is the demo helpdesk: its password was printed when the demo was loaded "
                "(set another with: atiende manage changepassword admin@atiende.test)."
            )
        )
    print(_("Press Ctrl-C to stop."), flush=True)


def demo(options: argparse.Namespace, extra: list[str]) -> int:
    load_demo_once(quiet_when_refused=False)
    return 0


def worker(options: argparse.Namespace, extra: list[str]) -> int:
    from django.core.management import call_command

    reload = [] if {"--reload", "--no-reload"} & set(extra) else ["--no-reload"]
    call_command("db_worker", *reload, *extra)
    return 0


def scheduler(options: argparse.Namespace, extra: list[str]) -> int:
    from django.core.management import call_command

    call_command("crontask", *([] if options.heartbeat else ["--no-heartbeat"]), *extra)
    return 0


if __name__ == "__main__":
    sys.exit(main())

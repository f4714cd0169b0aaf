"""``atiende manage mail_smtpd``: run the built-in SMTP receiver in the foreground."""

from __future__ import annotations

import asyncio
import errno
import os
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from atiende.messaging.transports import smtpd


class Command(BaseCommand):
    help = _("Receive mail for SMTP mailboxes (ATIENDE_SMTPD, default 127.0.0.1:2525).")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--listen",
            default="",
            help=_("host:port to listen on (default: ATIENDE_SMTPD or %(default)s).")
            % {"default": smtpd.DEFAULT_ADDRESS},
        )
        parser.add_argument(
            "--optional",
            action="store_true",
            help=_("If the address is in use, say so and exit 0 instead of failing."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        value = options["listen"] or os.environ.get(smtpd.ENV_VAR) or smtpd.DEFAULT_ADDRESS
        try:
            host, port = smtpd.parse_address(value)
        except ValueError:
            raise CommandError(
                _("%(value)s is not host:port, e.g. 127.0.0.1:2525.") % {"value": value}
            ) from None

        def ready() -> None:
            self.stdout.write(
                _("SMTP receiver listening on %(host)s:%(port)d.") % {"host": host, "port": port}
            )
            self.stdout.flush()

        try:
            asyncio.run(smtpd.serve(host, port, ready=ready))
        except OSError as error:
            if options["optional"] and error.errno == errno.EADDRINUSE:
                self.stderr.write(
                    _(
                        "SMTP receiver not started: %(host)s:%(port)d is in use. "
                        "Set ATIENDE_SMTPD to another host:port, or to 'off'."
                    )
                    % {"host": host, "port": port}
                )
                return
            raise CommandError(
                _("Cannot listen on %(host)s:%(port)d: %(error)s")
                % {"host": host, "port": port, "error": error.strerror or error}
            ) from None

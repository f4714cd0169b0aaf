"""``manage.py reindex_search``: rebuild the whole ticket index, e.g. after a restore."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from atiende.search.tickets import BATCH_SIZE, rebuild_index


class Command(BaseCommand):
    # Help texts stay untranslated, as in Django's own commands (read before i18n is set up).
    help = "Rebuild the full-text search index of all tickets, in batches."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help="Tickets indexed per statement (default %(default)s).",
        )

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError(_("The batch size must be at least 1."))
        verbose = options["verbosity"] > 1

        def progress(done: int) -> None:
            if verbose:
                self.stdout.write(_("%(count)d tickets indexed…") % {"count": done})

        total = rebuild_index(batch_size=batch_size, progress=progress)
        self.stdout.write(self.style.SUCCESS(_("Indexed %(count)d tickets.") % {"count": total}))

"""``manage.py rebuild_tallies``: recount the inbox counts' rollup, e.g. after a bulk import."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from atiende.tickets.tally import rebuild


class Command(BaseCommand):
    # Help texts stay untranslated, as in Django's own commands (read before i18n is set up).
    help = "Recount the ticket tallies (status x group x assignee) behind the inbox counts."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = rebuild()
        self.stdout.write(_("Recounted %(rows)d ticket tallies.") % {"rows": rows})

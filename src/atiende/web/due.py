"""The SLA due badge: the next breach of a ticket or one timer, told relative to now.

Drawn by the server (inbox cells, the ticket's timers panel) and kept current by
``static/web/due.js``, which counts down every 30 s from the same ``data-`` attributes and
flips the colour when the badge crosses into due soon or breached. The words the script needs
come from ``{% due_texts %}`` (translated here, once per page), so both say the same thing.
"""

from __future__ import annotations

import datetime

from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

# Due soon: within this many seconds of the due time (the default warning window).
SOON_SECONDS = 3600


def duration_text(seconds: float) -> str:
    """``8 min``, ``3 h``, ``2 d``: the coarse, glanceable length the badge shows."""
    minutes = max(1, int(abs(seconds) // 60))
    if minutes < 60:
        return _("%(n)d min") % {"n": minutes}
    if minutes < 48 * 60:
        return _("%(n)d h") % {"n": minutes // 60}
    return _("%(n)d d") % {"n": minutes // (24 * 60)}


def state(due_at: datetime.datetime, now: datetime.datetime, soon: int = SOON_SECONDS) -> str:
    """``breached``, ``soon`` or ``running``."""
    left = (due_at - now).total_seconds()
    if left <= 0:
        return "breached"
    return "soon" if left <= soon else "running"


def relative_text(
    due_at: datetime.datetime, now: datetime.datetime, soon: int = SOON_SECONDS
) -> str:
    left = (due_at - now).total_seconds()
    kind = state(due_at, now, soon)
    if kind == "breached":
        return _("overdue by %(time)s") % {"time": duration_text(left)}
    if kind == "soon":
        return _("due in %(time)s") % {"time": duration_text(left)}
    return _("in %(time)s") % {"time": duration_text(left)}


def paused_badge() -> SafeString:
    return format_html('<span class="sla-due sla-paused">{}</span>', _("paused"))


def badge(
    due_at: datetime.datetime, *, now: datetime.datetime | None = None, soon: int = SOON_SECONDS
) -> SafeString:
    """The badge for a running clock due at ``due_at``: colour by state, the relative time in
    words, the exact time in ``<time datetime>`` and the title."""
    now = now or timezone.now()
    local = timezone.localtime(due_at)
    exact = formats.date_format(local, "DATETIME_FORMAT")
    return format_html(
        '<span class="sla-due sla-{}" data-due="{}" data-soon="{}" title="{}">'
        '<time datetime="{}">{}</time></span>',
        state(due_at, now, soon),
        local.isoformat(),
        soon,
        _("Due %(time)s") % {"time": exact},
        local.isoformat(),
        relative_text(due_at, now, soon),
    )


def texts() -> dict[str, str]:
    """The script's words, in the reader's language (``%(time)s`` / ``%(n)d`` placeholders)."""
    return {
        "breached": _("overdue by %(time)s"),
        "soon": _("due in %(time)s"),
        "running": _("in %(time)s"),
        "min": _("%(n)d min"),
        "h": _("%(n)d h"),
        "d": _("%(n)d d"),
    }

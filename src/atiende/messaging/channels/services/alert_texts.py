"""What an alert ticket says: its subject, its first message, and the notes that follow.

Plain text only (the ticket services escape it into HTML): a monitor's labels and links are
shown as it sent them, never as markup. Kept apart from `alerts` so that the flow there reads
without the wording.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from atiende.messaging.channels.contract import AlertEvent
from atiende.messaging.models import ChannelAccount, ChannelProvider
from atiende.tickets.services.common import MAX_SUBJECT

# One alert's text inside a note that gathers many (a flood): the rest is in the raw payload.
ENTRY_TEXT_LENGTH = 2_000
# A note is split before this many characters (the ticket services refuse 1,000,000).
MAX_NOTE_LENGTH = 200_000
SEPARATOR = "\n\n———\n\n"
# The readers already put the labels into the text of these sources; the others' labels
# (Zabbix's host and trigger, Nagios' host and service) are added here.
LABELS_IN_TEXT = frozenset({"alertmanager", "generic"})


def when(moment: datetime | None) -> str:
    """``2026-02-06 13:08:45 UTC``: one zone for everyone reading the ticket."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def subject(event: AlertEvent) -> str:
    return subject_text(event.title) or subject_text(_("Alert %(key)s") % {"key": event.key})


def monitor_name(account: ChannelAccount) -> str:
    kind = (
        ChannelProvider(account.provider).label
        if account.provider in ChannelProvider.values
        else ""
    )
    return f"{account.name} ({kind})" if kind else account.name


def _details(account: ChannelAccount, event: AlertEvent) -> str:
    lines = [
        _("Monitor: %(monitor)s") % {"monitor": monitor_name(account)},
        _("Severity: %(severity)s") % {"severity": event.severity or _("not given")},
    ]
    if event.started_at is not None:
        lines.append(_("Started: %(at)s") % {"at": when(event.started_at)})
    if event.url:
        lines.append(_("Link: %(url)s") % {"url": event.url})
    lines.append(_("Alert key: %(key)s") % {"key": event.key})
    if event.labels and event.source not in LABELS_IN_TEXT:
        lines.append(_("Labels:"))
        lines.extend(f"{name}={value}" for name, value in sorted(event.labels.items()) if value)
    return "\n".join(lines)


def opening_body(account: ChannelAccount, event: AlertEvent) -> str:
    """The new ticket's first message: what the monitor said, then where it came from."""
    text = event.text.strip() or event.title.strip()
    return "\n\n".join(part for part in (text, _details(account, event)) if part)


def _clipped(text: str) -> str:
    text = text.strip()
    if len(text) <= ENTRY_TEXT_LENGTH:
        return text
    return text[: ENTRY_TEXT_LENGTH - 1].rstrip() + "…"


def fired_again_note(event: AlertEvent, count: int, first_at: datetime) -> str:
    heading = ngettext(
        "Firing again: %(title)s (fired %(count)d time since %(first)s).",
        "Firing again: %(title)s (fired %(count)d times since %(first)s).",
        count,
    ) % {"title": subject(event), "count": count, "first": when(first_at)}
    return "\n\n".join(part for part in (heading, _clipped(event.text)) if part)


def flooded_note(account: ChannelAccount, event: AlertEvent, priority: str) -> str:
    heading = _("New alert: %(title)s (priority %(priority)s)") % {
        "title": subject(event),
        "priority": priority,
    }
    return "\n\n".join(
        part for part in (heading, _clipped(event.text), _details(account, event)) if part
    )


def recovered_note(event: AlertEvent, *, solving: bool) -> str:
    ended = when(event.ended_at)
    if ended:
        line = _("Recovered: %(title)s (ended %(at)s).") % {"title": subject(event), "at": ended}
    else:
        line = _("Recovered: %(title)s.") % {"title": subject(event)}
    if not solving:
        line += " " + _(
            "This account does not solve tickets on recovery: the ticket stays as it is."
        )
    return line


def status_refused_note(status: str, reason: str) -> str:
    return _("The alerts would move this ticket to “%(status)s”, but: %(reason)s") % {
        "status": status,
        "reason": reason,
    }


def flood_subject(account: ChannelAccount, threshold: int, minutes: int) -> str:
    return subject_text(
        _("Alert flood on %(monitor)s: more than %(count)d new alerts in %(minutes)d minutes")
        % {"monitor": account.name, "count": threshold, "minutes": minutes}
    )


def subject_text(words: str) -> str:
    words = " ".join(words.split())
    return words if len(words) <= MAX_SUBJECT else words[: MAX_SUBJECT - 1].rstrip() + "…"


def flood_body(account: ChannelAccount, threshold: int, minutes: int) -> str:
    return _(
        "%(monitor)s sent more than %(count)d new alerts within %(minutes)d minutes. Instead of "
        "a ticket each, the further new alerts are noted on this ticket, none dropped, until "
        "fewer arrive. Their repeats and recoveries are noted here too; the ticket is solved "
        "once every alert on it has recovered (when the account solves on recovery)."
    ) % {"monitor": monitor_name(account), "count": threshold, "minutes": minutes}


def notes_of(entries: list[str]) -> list[str]:
    """``entries`` joined into as few notes as fit ``MAX_NOTE_LENGTH`` each."""
    notes: list[str] = []
    current = ""
    for entry in entries:
        candidate = f"{current}{SEPARATOR}{entry}" if current else entry
        if current and len(candidate) > MAX_NOTE_LENGTH:
            notes.append(current)
            candidate = entry
        current = candidate
    if current:
        notes.append(current)
    return notes

"""The ticket page's SLA panel: one row per target (first reply, next reply, periodic update,
resolution) with its state as a due badge and the policy that set it.

Read through ``sla.selectors.ticket_timers`` (one query, none at all while no SLA policy
exists); the caller has already passed the ticket through the gate.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from atiende.sla.selectors import TimerView, any_policy, policy_by_id, ticket_timers
from atiende.tickets.models import Ticket
from atiende.web import due


@dataclass(frozen=True)
class TimerRow:
    label: str
    badge: SafeString
    policy: str


def _badge(timer: TimerView) -> SafeString:
    if timer.state == "running" and timer.due_at is not None:
        # Due soon: within the policy's warning window, or the hour when it has none.
        policy = policy_by_id(timer.policy_id)
        warning = policy.warning_minutes * 60 if policy and policy.warning_minutes else 0
        return due.badge(timer.due_at, soon=warning or due.SOON_SECONDS)
    if timer.state == "paused":
        return due.paused_badge()
    if timer.state == "fulfilled":
        text = _("met late") if timer.breached else _("met")
        css = "sla-breached" if timer.breached else "sla-met"
        return format_html('<span class="sla-due {}">{}</span>', css, text)
    return format_html('<span class="sla-due sla-paused">{}</span>', _("stopped"))


def timer_rows(ticket: Ticket) -> list[TimerRow]:
    """The ticket's SLA clocks as the panel shows them, running ones first."""
    if not any_policy() and ticket.sla_due_at is None:
        return []
    return [
        TimerRow(label=t.label, badge=_badge(t), policy=t.policy_name)
        for t in ticket_timers(ticket.pk)
    ]

"""Mail to an alert inbox: a monitoring alert, not a customer's conversation.

The pipeline has stored the mail raw and parsed it (outside the transaction), and already
set aside our own mail coming back, delivery reports and untrustworthy sender headers. Here,
inside the row's transaction:

1. **Who sent it.** When the mailbox lists its allowed senders, the From address must be one
   of them; when the mailbox names its trusted authentication server, that server's DMARC
   must not have failed for the From domain. Anything else waits in the quarantine with the
   reason (an admin can release it), so a forged alert never opens or solves a ticket.
2. **Read it** (``channels.providers.alert_mail``): Zabbix's and Nagios/Icinga's default
   mails, else any mail by its subject. A text longer than `MAX_TEXT` is cut, with a note
   naming the stored mail that holds the whole of it.
3. **The same intake as the webhooks** (``channels.services.alerts.write_alerts``) on the
   mailbox's alert account: the same key appends to the open incident's ticket, a recovery
   solves it when the mailbox says so, floods are folded into one ticket. The row's reason
   says what the mail did; the row points at the alert's ticket.

A mail to an alert inbox is never a customer (no person is created from its sender), never
a thread key (alerts are threaded by key, not by Message-ID), and never rate limited (a flood
is folded by the intake, not held).

**Released from the quarantine** (an administrator's "create ticket anyway", `release`): the
sender checks are what the administrator overrules; the rest is steps 2 and 3, as if the mail
had been processed normally. A mail the alert reader still cannot read (MIME that does not
parse, a notice without a problem or a recovery, a recovery with no open ticket) opens an
alert ticket of its own from what can be read, with a note saying why: nothing released is
lost, and nothing fails silently.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from atiende.core.actor import Actor, Source
from atiende.messaging.alert_inboxes import sender_allowed, sync_alert_account
from atiende.messaging.channels.contract import AlertEvent, AlertState
from atiende.messaging.channels.providers.alert_mail import AlertMail, alert_key, read_mail
from atiende.messaging.channels.providers.fields import MAX_TITLE_LENGTH, clip
from atiende.messaging.channels.services.alert_settings import AlertReport
from atiende.messaging.channels.services.alerts import write_alerts
from atiende.messaging.email import authresults
from atiende.messaging.email.parse import ParsedEmail
from atiende.messaging.inbound.outcome import Outcome
from atiende.messaging.models import (
    AlertIncident,
    AlertIncidentState,
    ChannelAccount,
    InboundMessage,
    InboundState,
    Mailbox,
)
from atiende.tickets import services as tickets
from atiende.tickets.models import Channel, Ticket
from atiende.tickets.selectors import ticket_for_rules

MAX_TEXT = 20_000  # characters of the mail's text an alert ticket shows; the raw row has all
DMARC_FAILED = ("fail", "permerror")
MAX_AUTH_HEADERS = 20


def is_alert_inbox(mailbox: Mailbox | None) -> bool:
    return mailbox is not None and mailbox.alert_inbox


def handle(
    row: InboundMessage, parsed: ParsedEmail, sender: str, fields: dict[str, object]
) -> Outcome:
    """Turn the mail into an alert on the mailbox's alert account (see the module)."""
    mailbox = row.mailbox
    assert mailbox is not None
    fields = {**fields, "auto_generated": True}
    refusal = _refusal(mailbox, parsed, sender)
    if refusal:
        return Outcome(InboundState.QUARANTINED, refusal, fields=fields)
    account = mailbox.alert_account
    if account is None:
        reason = _(
            "The mailbox is an alert inbox without its alert account: save the mailbox's "
            "settings again, then retry this mail."
        )
        return Outcome(InboundState.QUARANTINED, reason, fields=fields)
    event = read_mail(AlertMail(subject=parsed.subject, text=_text(row, parsed), sender=sender))
    if event is None:
        reason = _(
            "A monitor's notice without a problem or a recovery (an acknowledgement, flapping "
            "or downtime): no ticket changes."
        )
        return Outcome(InboundState.IGNORED, reason, fields=fields)
    actor = Actor(user=None, source=Source.CHANNEL, detail=f"email:{mailbox.address}")
    report, ticket = _write(actor, account, event)
    return Outcome(InboundState.PROCESSED, report.reason(), ticket=ticket, fields=fields)


def _write(
    actor: Actor, account: ChannelAccount, event: AlertEvent
) -> tuple[AlertReport, Ticket | None]:
    """The alert through the intake, and the ticket its key's incident is on now."""
    report = write_alerts(actor, account, [event])
    incident = (
        AlertIncident.objects.filter(account=account, key=event.key)
        .exclude(state=AlertIncidentState.ENDED)
        .values_list("ticket_id", flat=True)
        .first()
    )
    return report, ticket_for_rules(incident) if incident is not None else None


def release(
    admin: Actor, actor: Actor, row: InboundMessage, parsed: ParsedEmail | None, error: str = ""
) -> Outcome:
    """An administrator's "create ticket anyway" on a mail of an alert inbox (see the module).

    ``admin`` decided; ``actor`` writes (the channel, naming the administrator). ``parsed`` is
    ``None`` when the mail does not parse, ``error`` saying why. An alert inbox that lost its
    alert account gets it back first (what the quarantine's reason asks the admin to do).
    """
    mailbox = row.mailbox
    assert mailbox is not None
    if mailbox.alert_account_id is None:
        sync_alert_account(admin, mailbox)
    account = mailbox.alert_account
    assert account is not None
    fields: dict[str, object] = {"auto_generated": True}
    if parsed is None:
        why = _("the mail could not be parsed (%(error)s).") % {"error": error or "?"}
        return _unread(actor, account, row, row.subject, "", why, fields)
    fields |= {"subject": parsed.subject[:255], "message_id": parsed.message_id[:998]}
    # A sender header that reads two ways names nobody (as for a customer's mail).
    sender = "" if parsed.sender_defects or not parsed.from_ else parsed.from_[1].strip().lower()
    text = _text(row, parsed)
    event = read_mail(AlertMail(subject=parsed.subject, text=text, sender=sender))
    if event is None:
        why = _(
            "it is a monitor's notice without a problem or a recovery (an acknowledgement, "
            "flapping or downtime)."
        )
        return _unread(actor, account, row, parsed.subject, text, why, fields)
    report, ticket = _write(actor, account, event)
    if ticket is None:  # a recovery of an alert no open ticket has
        return _unread(actor, account, row, parsed.subject, text, report.reason(), fields)
    return Outcome(InboundState.PROCESSED, report.reason(), ticket=ticket, fields=fields)


def _unread(
    actor: Actor,
    account: ChannelAccount,
    row: InboundMessage,
    subject: str,
    text: str,
    why: str,
    fields: dict[str, object],
) -> Outcome:
    """An alert ticket of the mail's own (a key no other mail has) from what can be read, at
    the priority of an alert without a severity, and an internal note saying why."""
    title = " ".join(subject.split()) or _("Alert mail #%(id)d") % {"id": row.pk}
    event = AlertEvent(
        key=alert_key("released", f"inbound-{row.pk}"),
        state=AlertState.FIRING,
        title=clip(title, MAX_TITLE_LENGTH),
        text=text,
        source="generic",
    )
    _report, ticket = _write(actor, account, event)
    assert ticket is not None  # a new key always opens (or joins the flood ticket)
    note = _(
        "Released from the quarantine, but this mail could not be read as an alert: "
        "%(why)s This ticket was opened from what could be read, at the priority of an alert "
        "without a severity; the whole mail is kept as inbound message #%(id)d."
    ) % {"why": why, "id": row.pk}
    tickets.add_message(actor, ticket_id=ticket.pk, body=note, public=False, channel=Channel.ALERT)
    reason = _("Not read as an alert: %(why)s An alert ticket was opened from what could be read.")
    return Outcome(InboundState.PROCESSED, reason % {"why": why}, ticket=ticket, fields=fields)


def _refusal(mailbox: Mailbox, parsed: ParsedEmail, sender: str) -> str:
    """Why the mail may not be taken as an alert from this mailbox's monitors; ``""``."""
    if not sender_allowed(mailbox, sender):
        return _(
            "%(sender)s is not one of this alert inbox's allowed senders: the mail was not "
            "read as an alert."
        ) % {"sender": sender or _("(no sender)")}
    if mailbox.trusted_authserv_id and _dmarc_failed(parsed, mailbox.trusted_authserv_id):
        return _(
            "The trusted mail server says the sender's domain failed DMARC: a forged alert "
            "was not read."
        )
    return ""


def _dmarc_failed(parsed: ParsedEmail, trusted: str) -> bool:
    """The trusted server's topmost DMARC result for this mail is a failure."""
    ids = {t.strip().lower() for t in trusted.replace(",", " ").split() if t.strip()}
    for value in parsed.auth_results[:MAX_AUTH_HEADERS]:
        found = authresults.parse(value)
        if found is None or found.authserv_id not in ids:
            continue
        dmarc = [r for r in found.results if r.method == "dmarc"]
        if dmarc:
            return any(r.result in DMARC_FAILED for r in dmarc)
    return False


def _text(row: InboundMessage, parsed: ParsedEmail) -> str:
    """The mail's text (from its HTML when it has no text part), cut at `MAX_TEXT` with a
    note when longer."""
    text = parsed.text.strip()
    if len(text) <= MAX_TEXT:
        return text
    note = _(
        "[The mail was %(size)d characters long; only the first %(max)d are shown. The whole "
        "mail is kept as inbound message #%(id)d.]"
    ) % {"size": len(text), "max": MAX_TEXT, "id": row.pk}
    return text[:MAX_TEXT].rstrip() + "\n\n" + note

"""Monitoring alerts that arrive by mail, read into the contract's ``AlertEvent``.

The pure half of an alert inbox (``Mailbox.alert_inbox``): the inbound mail pipeline stores
and parses the mail, `read_mail` turns its subject and text into one alert, and the alert goes
through the same intake as the webhooks (``services/alerts.py``). Recognised, in this order:

- **Zabbix's default mail** (media type "Email"): subject ``Problem: <name>``, ``Resolved:
  <name>`` or ``Resolved in <duration>: <name>`` (``Updated problem…`` for an update), body
  lines ``Problem started at … on …`` / ``Problem has been resolved at …``, ``Problem name:``,
  ``Host:``, ``Severity:``, ``Original problem ID:`` (older templates: ``Event ID:``). The key
  is host and problem name, the ``source`` "zabbix": the problem id recognises a repeat of the
  same firing, and the severity maps as the webhook's does.
- **Nagios/Icinga notification mail**: subject ``** PROBLEM Service Alert: host/service is
  CRITICAL **`` or ``** RECOVERY Host Alert: host is UP **`` (Icinga 2's scripts: ``[PROBLEM]
  service on host is CRITICAL!``), body ``Notification Type:``, ``Service:``, ``Host:``,
  ``State:``. The key is the webhook's (``nagios:host/service``). Acknowledgements, flapping
  and downtime notices carry no state: `read_mail` answers ``None`` for them, as the webhook
  reads them as no event.
- **Anything else**: the subject is the title, and the key is the subject without the words
  PROBLEM, RESOLVED, RECOVERY, RECOVERED and FIRING (so "[FIRING:2] Disk full" and "[RESOLVED]
  Disk full" are one alert); one of the last three words resolves. A subject with nothing
  left keys on the sender and always fires, so the mail still opens (or joins) a ticket.

A key too long for the incident's column is shortened to a hash of itself (never refused:
an alert mail is never dropped). Nothing here reads the database; the mail's text is clipped
by the caller.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from atiende.messaging.channels.contract import (
    AccountConfig,
    AlertEvent,
    AlertState,
    Event,
    Incoming,
    PayloadError,
    SignatureError,
)
from atiende.messaging.channels.providers.alerts import NAGIOS_IGNORED, ZABBIX_SEVERITIES
from atiende.messaging.channels.providers.fields import MAX_ID_LENGTH, MAX_TITLE_LENGTH, clip

MAX_FIELD_LINES = 200  # "Name: value" lines looked at, from the top of the text
MAX_URL_LENGTH = 2_048

_ZABBIX_SUBJECT = re.compile(
    r"^(?P<kind>Problem|Resolved|Updated problem)(?:\s+in\s+[^:]{1,64})?:\s*(?P<name>.*)$",
    re.IGNORECASE,
)
_NAGIOS_SUBJECT = re.compile(
    r"^\*\*\s*(?P<type>[A-Z]+)\s+(?P<kind>Service|Host)\s+Alert:\s*(?P<what>.+?)\s+is\s+"
    r"(?P<state>[A-Z]+)\s*\*\*$",
    re.IGNORECASE,
)
_ICINGA_SERVICE_SUBJECT = re.compile(
    r"^\[(?P<type>[A-Z]+)\]\s+(?P<service>.+?)\s+on\s+(?P<host>.+?)\s+is\s+(?P<state>[A-Z]+)!?$"
)
_ICINGA_HOST_SUBJECT = re.compile(
    r"^\[(?P<type>[A-Z]+)\]\s+Host\s+(?P<host>.+?)\s+is\s+(?P<state>[A-Z]+)!?$"
)
_FIELD_LINE = re.compile(r"^\s*(?:-\s*)?(?P<name>[A-Za-z][A-Za-z /.]{0,40}?)\s*:\s*(?P<value>.*)$")
_STATE_WORDS = re.compile(r"\b(PROBLEM|RESOLVED|RECOVERY|RECOVERED|FIRING)\b(?::\s*\d+)?", re.I)
_RESOLVED_WORDS = frozenset({"resolved", "recovery", "recovered"})
_URL = re.compile(r"^https?://\S+$")
_NAGIOS_STATES = {"PROBLEM": AlertState.FIRING, "RECOVERY": AlertState.RESOLVED}


@dataclass(frozen=True)
class AlertMail:
    """What `read_mail` needs of a parsed mail: plain values, no MIME."""

    subject: str
    text: str
    sender: str = ""


def read_mail(mail: AlertMail) -> AlertEvent | None:
    """The alert in ``mail`` (see the module); ``None`` for a notice that carries no state
    (a Nagios acknowledgement, flapping, downtime)."""
    subject = " ".join(mail.subject.split())
    fields = field_lines(mail.text)
    zabbix = _ZABBIX_SUBJECT.match(subject)
    if zabbix and ("problem name" in fields or "original problem id" in fields):
        return _zabbix(zabbix, fields, mail)
    notice = _nagios_notice(subject, fields)
    if notice is not None:
        return None if notice.kind in NAGIOS_IGNORED else _nagios(notice, mail)
    return _generic(subject, fields, mail)


def field_lines(text: str) -> dict[str, str]:
    """The ``Name: value`` lines of ``text`` by lower-case name, the first of each name."""
    found: dict[str, str] = {}
    for line in text.splitlines()[:MAX_FIELD_LINES]:
        match = _FIELD_LINE.match(line)
        if match is None:
            continue
        name = " ".join(match["name"].lower().split())
        found.setdefault(name, match["value"].strip())
    return found


def alert_key(source: str, *parts: str) -> str:
    """``source:part/part``; one too long for the incident's column becomes a hash of itself."""
    key = f"{source}:" + "/".join(parts)
    if len(key) <= MAX_ID_LENGTH:
        return key
    return f"{source}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def _url(text: str) -> str:
    for line in text.splitlines():
        line = line.strip()
        if len(line) <= MAX_URL_LENGTH and _URL.match(line):
            return line
    return ""


def _zabbix(subject: re.Match[str], fields: Mapping[str, str], mail: AlertMail) -> AlertEvent:
    kind = subject["kind"].lower()
    resolved = kind == "resolved" or "problem has been resolved at" in mail.text.lower()
    name = fields.get("problem name") or subject["name"].strip() or _("Zabbix problem")
    host = fields.get("host", "")
    event_id = fields.get("original problem id") or fields.get("event id", "")
    severity = fields.get("severity", "")
    if severity.isdecimal() and int(severity) < len(ZABBIX_SEVERITIES):
        severity = ZABBIX_SEVERITIES[int(severity)]
    labels = {"host": host, "event_id": event_id[:64]} if host else {"event_id": event_id[:64]}
    return AlertEvent(
        key=alert_key("zabbix", host, name) if host else alert_key("zabbix", name),
        state=AlertState.RESOLVED if resolved else AlertState.FIRING,
        title=clip(f"{name} ({host})" if host else name, MAX_TITLE_LENGTH),
        text=mail.text,
        severity=severity[:64],
        source="zabbix",
        labels={k: v for k, v in labels.items() if v},
        url=_url(mail.text),
    )


@dataclass(frozen=True)
class _Notice:
    """A Nagios/Icinga notification as its subject and body lines name it."""

    kind: str  # PROBLEM, RECOVERY, ACKNOWLEDGEMENT …
    host: str
    service: str
    state: str


def _nagios_notice(subject: str, fields: Mapping[str, str]) -> _Notice | None:
    """The notification in a Nagios/Icinga mail; ``None`` when the mail is not one."""
    kind = fields.get("notification type", "")
    host = fields.get("host", "")
    service = fields.get("service", "")
    state = fields.get("state", "")
    matched = _NAGIOS_SUBJECT.match(subject)
    icinga = _ICINGA_HOST_SUBJECT.match(subject) or _ICINGA_SERVICE_SUBJECT.match(subject)
    if matched:
        kind, state = kind or matched["type"], state or matched["state"]
        if matched["kind"].lower() == "service":
            subject_host, _slash, subject_service = matched["what"].partition("/")
            host, service = host or subject_host, service or subject_service
        else:
            host, service = host or matched["what"], ""
    elif icinga is not None:
        groups = icinga.groupdict()
        kind, state = kind or groups["type"], state or groups["state"]
        host = host or groups["host"]
        service = service or groups.get("service") or ""
    kind = kind.strip().upper()
    if not host.strip() or (kind not in _NAGIOS_STATES and kind not in NAGIOS_IGNORED):
        return None
    return _Notice(kind, host.strip(), service.strip(), state.strip().upper())


def _nagios(notice: _Notice, mail: AlertMail) -> AlertEvent:
    host, service, state = notice.host, notice.service, notice.state
    if service:
        title = _("%(service)s on %(host)s is %(state)s")
        key = alert_key("nagios", host, service)
    else:
        title = _("%(host)s is %(state)s")
        key = alert_key("nagios", host)
    found = {"host": host, "state": state} | ({"service": service} if service else {})
    return AlertEvent(
        key=key,
        state=_NAGIOS_STATES[notice.kind],
        title=clip(
            title % {"service": service, "host": host, "state": state or notice.kind},
            MAX_TITLE_LENGTH,
        ),
        text=mail.text,
        severity=state.lower()[:64],
        source="nagios",
        labels=found,
        url=_url(mail.text),
    )


def _generic(subject: str, fields: Mapping[str, str], mail: AlertMail) -> AlertEvent:
    words = {match.group(1).lower() for match in _STATE_WORDS.finditer(subject)}
    rest = _STATE_WORDS.sub(" ", subject)
    rest = " ".join(re.sub(r"[\[\]()*:!\-–—|]+", " ", rest).split()).lower()
    sender = mail.sender.strip().lower()
    key = alert_key("mail", rest) if rest else alert_key("mail-from", sender or "unknown")
    title = subject or (
        _("Alert mail from %(sender)s") % {"sender": sender} if sender else _("Alert mail")
    )
    return AlertEvent(
        key=key,
        # Without a key, a recovery could find nothing to recover: it opens a ticket instead.
        state=AlertState.RESOLVED if rest and words & _RESOLVED_WORDS else AlertState.FIRING,
        title=clip(title, MAX_TITLE_LENGTH),
        text=mail.text,
        severity=fields.get("severity", "")[:64],
        source="generic",
        url=_url(mail.text),
    )


class AlertEmail:
    """The ``Receiver`` of an alert inbox's channel account: its alerts come by mail (the
    mail pipeline calls `read_mail`), so a webhook to it is refused. The account is kept
    inactive, so the webhook view answers 404 before asking this."""

    provider = "alert_email"
    channel = "alert"

    def verify(self, config: AccountConfig, incoming: Incoming) -> None:
        raise SignatureError(_("Alerts of an alert inbox come by mail, not by webhook."))

    def read(self, config: AccountConfig, incoming: Incoming) -> list[Event]:
        raise PayloadError(_("Alerts of an alert inbox come by mail, not by webhook."))

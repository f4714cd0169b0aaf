"""Monitoring alerts (channel "alert"): Alertmanager, Zabbix, Nagios/Icinga and our own JSON.

Each reader turns one webhook into ``AlertEvent`` s whose ``key`` stays the same across
repeats of one problem, so the intake folds a re-fire into the open ticket and closes it on
"resolved". All of them are checked with the account's shared token (``verify_shared_token``:
bearer, Basic or ``X-Atiende-Signature``). The shapes we expect from Zabbix and Nagios are
the ones our recipes in ``docs/admin/alerts.md`` send.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Literal

from django.utils.translation import gettext as _

from atiende.messaging.channels.contract import (
    AccountConfig,
    AlertEvent,
    AlertState,
    Event,
    Incoming,
    PayloadError,
)
from atiende.messaging.channels.providers.fields import (
    MAX_ID_LENGTH,
    MAX_TEXT_LENGTH,
    MAX_TITLE_LENGTH,
    Fields,
    clip,
    identifier,
    integer,
    labels,
    string,
    timestamp,
    web_url,
)
from atiende.messaging.channels.providers.payload import json_object, json_or_form
from atiende.messaging.channels.providers.receiving import verify_shared_token

type Priority = Literal["low", "normal", "high", "urgent"]

MAX_GENERIC_KEY_LENGTH = 200

# A monitor's word for how bad it is → our priority. Disaster/critical page someone; an error
# or Zabbix's Average/High wants attention today; a warning is ordinary work; information is
# low. A word we do not know is "normal": neither buried nor paging anyone.
_PRIORITIES: dict[str, Priority] = {
    **dict.fromkeys(("disaster", "critical", "crit", "emergency", "fatal", "page", "p1"), "urgent"),
    **dict.fromkeys(("urgent", "alert"), "urgent"),
    **dict.fromkeys(("high", "error", "err", "average", "major", "severe", "p2"), "high"),
    **dict.fromkeys(("warning", "warn", "minor", "medium", "moderate", "p3"), "normal"),
    **dict.fromkeys(("normal", "unknown"), "normal"),
    **dict.fromkeys(("info", "information", "informational", "notice", "debug"), "low"),
    **dict.fromkeys(("not classified", "low", "none", "ok", "up", "p4", "p5"), "low"),
}
_SOURCE_PRIORITIES: dict[str, dict[str, Priority]] = {
    # Host states: a host down takes its services with it; unreachable is a network question.
    "nagios": {"down": "urgent", "unreachable": "high"},
    # {EVENT.NSEVERITY}: 0 not classified … 5 disaster.
    "zabbix": {"0": "low", "1": "low", "2": "normal", "3": "high", "4": "high", "5": "urgent"},
}
ZABBIX_SEVERITIES = ("Not classified", "Information", "Warning", "Average", "High", "Disaster")


def severity_priority(source: str, severity: str) -> Priority:
    """Our priority key for a monitor's severity word (case, ``_`` and ``-`` ignored)."""
    word = " ".join(severity.lower().replace("_", " ").replace("-", " ").split())
    return _SOURCE_PRIORITIES.get(source, {}).get(word) or _PRIORITIES.get(word, "normal")


class _AlertReceiver:
    """What every alert source shares: the channel, and the shared-token check."""

    provider = ""
    channel = "alert"

    def verify(self, config: AccountConfig, incoming: Incoming) -> None:
        verify_shared_token(config, incoming)


def _key(source: str, *parts: str, field: str) -> str:
    key = f"{source}:" + "/".join(parts)
    if len(key) > MAX_ID_LENGTH:
        raise PayloadError(
            _("“%(field)s” makes the alert key longer than %(limit)d characters.")
            % {"field": field, "limit": MAX_ID_LENGTH},
            field=field,
        )
    return key


def _state(value: str, *, field: str) -> AlertState:
    word = value.lower()
    if word in {"firing", "problem"}:
        return AlertState.FIRING
    if word in {"resolved", "ok", "recovery"}:
        return AlertState.RESOLVED
    raise PayloadError(
        _("“%(field)s” is neither firing nor resolved.") % {"field": field}, field=field
    )


def _text(*parts: str) -> str:
    return clip("\n\n".join(part for part in parts if part), MAX_TEXT_LENGTH)


def _label_block(heading: str, values: Mapping[str, str]) -> str:
    if not values:
        return ""
    return heading + "\n" + "\n".join(f"{name}={values[name]}" for name in sorted(values))


def prometheus_fingerprint(values: Mapping[str, str]) -> str:
    """The fingerprint Alertmanager gives a label set (Prometheus' ``labelSetToFingerprint``:
    FNV-1a 64 over the sorted names and values, each followed by byte 255), so an alert read
    without one still folds with the same alert read with one."""
    digest = 0xCBF29CE484222325
    for name in sorted(values):
        for part in (name.encode(), b"\xff", values[name].encode(), b"\xff"):
            for byte in part:
                digest = ((digest ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{digest:016x}"


class Alertmanager(_AlertReceiver):
    """Prometheus Alertmanager's ``webhook_config`` payload, version "4": one group with
    ``alerts[]`` (status, labels, annotations, startsAt, endsAt, generatorURL, fingerprint)
    and ``truncatedAlerts``, the alerts ``max_alerts`` left out. ``endsAt`` is Go's zero time
    (``0001-01-01T00:00:00Z``) until the alert resolves, and then ``ended_at``."""

    provider = "alertmanager"

    def read(self, config: AccountConfig, incoming: Incoming) -> list[Event]:
        data = json_object(incoming)
        alerts = data.get("alerts")
        if not isinstance(alerts, list):
            raise PayloadError(_("“alerts” is not a list."), field="alerts")
        truncated = integer(data, "truncatedAlerts", maximum=10**9)
        note = ""
        if truncated:
            note = _(
                "Alertmanager left %(count)d more alerts of this group out of this "
                "notification (max_alerts); see them in Alertmanager: %(url)s"
            ) % {"count": truncated, "url": string(data, "externalURL", clip_to=2_048)}
        events: list[Event] = []
        for index, alert in enumerate(alerts):
            events.append(self._alert(alert, f"alerts[{index}]", note))
        return events

    def _alert(self, alert: object, where: str, note: str) -> AlertEvent:
        if not isinstance(alert, dict):
            raise PayloadError(_("“%(field)s” is not an object.") % {"field": where}, field=where)
        found = labels(alert, "labels", field=f"{where}.labels")
        notes = labels(alert, "annotations", field=f"{where}.annotations", prose=True)
        fingerprint = string(alert, "fingerprint", field=f"{where}.fingerprint")
        others = {k: v for k, v in notes.items() if k not in {"summary", "description"}}
        return AlertEvent(
            key=_key(
                "alertmanager",
                fingerprint or prometheus_fingerprint(found),
                field=f"{where}.fingerprint",
            ),
            state=_state(string(alert, "status", field=f"{where}.status"), field=f"{where}.status"),
            title=clip(
                notes.get("summary") or found.get("alertname") or _("Alert without a name"),
                MAX_TITLE_LENGTH,
            ),
            text=_text(
                notes.get("description", ""),
                _label_block(_("Labels:"), found),
                _label_block(_("Annotations:"), others),
                note,
            ),
            severity=found.get("severity", ""),
            source="alertmanager",
            labels=found,
            started_at=timestamp(alert.get("startsAt"), field=f"{where}.startsAt"),
            ended_at=timestamp(alert.get("endsAt"), field=f"{where}.endsAt"),
            url=web_url(alert, "generatorURL", field=f"{where}.generatorURL"),
        )


def _macro_free(data: Fields, name: str) -> str:
    """A Zabbix field, empty when Zabbix left its macro unresolved (``{EVENT.RECOVERY.ID}``
    on a problem, for instance) instead of a value."""
    value = string(data, name, max_length=MAX_ID_LENGTH, numbers=True)
    return "" if value.startswith("{") and value.endswith("}") else value


class Zabbix(_AlertReceiver):
    """What our Zabbix webhook media type (``docs/admin/alerts.md``) posts: a JSON object

    ``{event_id, trigger_id, host, name, message, severity, nseverity, status, event_value,
    url, tags}`` — ``status`` {EVENT.STATUS} "PROBLEM"/"RESOLVED", ``event_value``
    {EVENT.VALUE} "1"/"0" (wins when both are there), ``nseverity`` {EVENT.NSEVERITY} "0"–"5"
    (wins over the renameable ``severity``), ``tags`` an object made from {EVENT.TAGSJSON}.
    The key is trigger and host, so every problem of one trigger folds into one ticket.
    """

    provider = "zabbix"

    def read(self, config: AccountConfig, incoming: Incoming) -> list[Event]:
        data = json_object(incoming)
        trigger = identifier(data, "trigger_id")
        host = identifier(data, "host")
        severity = string(data, "severity", clip_to=64)
        number = _macro_free(data, "nseverity")
        if number:
            if number not in {"0", "1", "2", "3", "4", "5"}:
                raise PayloadError(_("“nseverity” is not 0 to 5."), field="nseverity")
            severity = ZABBIX_SEVERITIES[int(number)]
        value = _macro_free(data, "event_value")
        if value:
            if value not in {"0", "1"}:
                raise PayloadError(_("“event_value” is not 0 or 1."), field="event_value")
            state = AlertState.FIRING if value == "1" else AlertState.RESOLVED
        else:
            state = _state(string(data, "status", required=True), field="status")
        tags = labels(data, "tags")
        event = _macro_free(data, "event_id")
        title = string(data, "name") or string(data, "subject")
        return [
            AlertEvent(
                key=_key("zabbix", trigger, host, field="host"),
                state=state,
                title=clip(
                    title
                    or _("Zabbix trigger %(trigger)s on %(host)s")
                    % {"trigger": trigger, "host": host},
                    MAX_TITLE_LENGTH,
                ),
                text=_text(string(data, "message"), _label_block(_("Tags:"), tags)),
                severity=severity,
                source="zabbix",
                labels={**tags, "host": host, "trigger_id": trigger, "event_id": event},
                url=web_url(data, "url"),
            )
        ]


# Nagios' $NOTIFICATIONTYPE$ (and Icinga 2's $notification.type$). Acknowledgements are an
# agent's own doing; flapping and downtime are the monitor's bookkeeping, and the PROBLEM or
# RECOVERY that follows carries the state — so these read as no event at all.
_NAGIOS_STATES = {"PROBLEM": AlertState.FIRING, "RECOVERY": AlertState.RESOLVED}
NAGIOS_IGNORED = frozenset(
    {
        "ACKNOWLEDGEMENT",
        "CUSTOM",
        "FLAPPINGSTART",
        "FLAPPINGSTOP",
        "FLAPPINGEND",
        "FLAPPINGDISABLED",
        "DOWNTIMESTART",
        "DOWNTIMEEND",
        "DOWNTIMECANCELLED",
        "DOWNTIMEREMOVED",
    }
)


class Nagios(_AlertReceiver):
    """What our Nagios/Icinga notification command posts, form-encoded or JSON, its fields
    named after the macros: NOTIFICATIONTYPE, HOSTNAME, SERVICEDESC (empty on host
    notifications), SERVICESTATE, SERVICEOUTPUT, LONGSERVICEOUTPUT, HOSTSTATE, HOSTOUTPUT and
    an optional URL. PROBLEM fires, RECOVERY resolves, the other types read as nothing."""

    provider = "nagios"

    def read(self, config: AccountConfig, incoming: Incoming) -> list[Event]:
        data = json_or_form(incoming)
        kind = string(data, "NOTIFICATIONTYPE", required=True, max_length=64).upper()
        if kind in NAGIOS_IGNORED:
            return []
        if kind not in _NAGIOS_STATES:
            raise PayloadError(
                _("“NOTIFICATIONTYPE” is not a Nagios notification type."),
                field="NOTIFICATIONTYPE",
            )
        host = identifier(data, "HOSTNAME")
        service = identifier(data, "SERVICEDESC", required=False)
        if service:
            state = string(data, "SERVICESTATE", clip_to=64)
            output = string(data, "SERVICEOUTPUT")
            long_output = string(data, "LONGSERVICEOUTPUT")
            key = _key("nagios", host, service, field="SERVICEDESC")
            title = _("%(service)s on %(host)s is %(state)s")
        else:
            state = string(data, "HOSTSTATE", clip_to=64)
            output = string(data, "HOSTOUTPUT")
            long_output = string(data, "LONGHOSTOUTPUT")
            key = _key("nagios", host, field="HOSTNAME")
            title = _("%(host)s is %(state)s")
        found = {"host": host, "state": state} | ({"service": service} if service else {})
        return [
            AlertEvent(
                key=key,
                state=_NAGIOS_STATES[kind],
                title=clip(
                    title % {"service": service, "host": host, "state": state or kind},
                    MAX_TITLE_LENGTH,
                ),
                text=_text(output, long_output),
                severity=state.lower(),
                source="nagios",
                labels=found,
                url=web_url(data, "URL"),
            )
        ]


class GenericAlert(_AlertReceiver):
    """Our own JSON, for any monitor that can post one: ``{key, status, title, text,
    severity, labels, url, started_at}``. Only ``key`` is required (at most 200 characters):
    it is what ties a "resolved" to its "firing". ``status`` defaults to "firing"."""

    provider = "generic_alert"

    def read(self, config: AccountConfig, incoming: Incoming) -> list[Event]:
        data = json_object(incoming)
        if not string(data, "key", numbers=True):
            raise PayloadError(
                _("“key” is missing: it names the alert, so that “resolved” finds “firing”."),
                field="key",
            )
        key = string(data, "key", max_length=MAX_GENERIC_KEY_LENGTH, numbers=True)
        found = labels(data, "labels")
        started: datetime | None = timestamp(data.get("started_at"), field="started_at")
        return [
            AlertEvent(
                key=_key("generic", key, field="key"),
                state=_state(string(data, "status") or "firing", field="status"),
                title=string(data, "title", clip_to=MAX_TITLE_LENGTH) or clip(key, 255),
                text=_text(string(data, "text"), _label_block(_("Labels:"), found)),
                severity=string(data, "severity", clip_to=64),
                source="generic",
                labels=found,
                started_at=started,
                url=web_url(data, "url"),
            )
        ]

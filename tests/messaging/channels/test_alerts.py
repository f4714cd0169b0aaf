"""The monitoring-alert readers: documented payloads in, ``AlertEvent`` s out; anything else a
``PayloadError`` naming the field, or a ``SignatureError`` when the token is not right.

Pure: no database, no network.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from atiende.messaging.channels.contract import (
    AccountConfig,
    AlertEvent,
    AlertState,
    Incoming,
    PayloadError,
    Receiver,
    SignatureError,
)
from atiende.messaging.channels.providers.alerts import (
    Alertmanager,
    GenericAlert,
    Nagios,
    Zabbix,
    prometheus_fingerprint,
    severity_priority,
)
from atiende.messaging.channels.providers.payload import MAX_BODY_BYTES
from tests.messaging.channels.strategies import JSON, PROPERTY, outcome

TOKEN = "s3cret-token-éxample"
CONFIG = AccountConfig(provider="alerts", settings={}, secrets={"token": TOKEN}, api_base="")
URL = "https://desk.example.test/hooks/alerts/1/"


def request(
    body: bytes | dict[str, Any] | list[Any],
    *,
    headers: dict[str, str] | None = None,
    content_type: str = "application/json",
) -> Incoming:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Incoming(
        method="POST",
        url=URL,
        headers={"content-type": content_type, **(headers or {})},
        body=raw,
    )


def read(receiver: Receiver, body: bytes | dict[str, Any], **kwargs: Any) -> list[AlertEvent]:
    events = receiver.read(CONFIG, request(body, **kwargs))
    assert all(isinstance(event, AlertEvent) for event in events)
    return [event for event in events if isinstance(event, AlertEvent)]


def payload_error(receiver: Receiver, body: bytes | dict[str, Any], **kwargs: Any) -> PayloadError:
    with pytest.raises(PayloadError) as caught:
        receiver.read(CONFIG, request(body, **kwargs))
    return caught.value


# --- Alertmanager ----------------------------------------------------------------------------

# The shape of Alertmanager's webhook_config (version 4): one group, several alerts.
FIRING: dict[str, Any] = {
    "version": "4",
    "groupKey": '{}/{severity="critical"}:{alertname="ProbeFailure"}',
    "truncatedAlerts": 0,
    "status": "firing",
    "receiver": "atiende",
    "groupLabels": {"alertname": "ProbeFailure"},
    "commonLabels": {"alertname": "ProbeFailure", "job": "http_checks", "severity": "critical"},
    "commonAnnotations": {},
    "externalURL": "http://alertmanager.example.test:9093",
    "alerts": [
        {
            "status": "firing",
            "labels": {
                "alertname": "ProbeFailure",
                "instance": "https://shop.example.test",
                "job": "http_checks",
                "severity": "critical",
            },
            "annotations": {
                "summary": "Probe failure: https://shop.example.test",
                "description": "https://shop.example.test has been down for over 5m.",
                "runbook_url": "https://wiki.example.test/runbooks/probe",
            },
            "startsAt": "2026-02-06T13:08:45.828123456Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus.example.test:9090/graph?g0.expr=probe_success",
            "fingerprint": "1a30ba71cca2921f",
        },
        {
            "status": "firing",
            "labels": {
                "alertname": "ProbeFailure",
                "instance": "https://api.example.test",
                "job": "http_checks",
                "severity": "critical",
            },
            "annotations": {},
            "startsAt": "2026-02-06T13:09:45+02:00",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus.example.test:9090/graph?g0.expr=probe_success",
            "fingerprint": "77c1bd3a0e5c2f01",
        },
    ],
}


def resolved(payload: dict[str, Any]) -> dict[str, Any]:
    alerts = [
        {**alert, "status": "resolved", "endsAt": "2026-02-06T13:20:00Z"}
        for alert in payload["alerts"]
    ]
    return {**payload, "status": "resolved", "alerts": alerts}


def test_alertmanager_reads_one_event_per_alert_of_the_group() -> None:
    first, second = read(Alertmanager(), FIRING)

    assert first.key == "alertmanager:1a30ba71cca2921f"
    assert first.state is AlertState.FIRING
    assert first.title == "Probe failure: https://shop.example.test"
    assert first.text.startswith("https://shop.example.test has been down for over 5m.")
    assert "instance=https://shop.example.test" in first.text
    assert "runbook_url=https://wiki.example.test/runbooks/probe" in first.text
    assert first.severity == "critical"
    assert first.source == "alertmanager"
    assert first.labels["job"] == "http_checks"
    assert first.url.startswith("http://prometheus.example.test:9090/graph")
    assert first.started_at == datetime(2026, 2, 6, 13, 8, 45, 828123, tzinfo=UTC)
    # No summary: the alert's name is its title.
    assert second.key == "alertmanager:77c1bd3a0e5c2f01"
    assert second.title == "ProbeFailure"
    assert second.started_at == datetime(2026, 2, 6, 13, 9, 45, tzinfo=timezone(timedelta(hours=2)))


def test_alertmanager_resolved_keeps_the_keys() -> None:
    firing = read(Alertmanager(), FIRING)
    done = read(Alertmanager(), resolved(FIRING))

    assert [event.key for event in done] == [event.key for event in firing]
    assert {event.state for event in done} == {AlertState.RESOLVED}


def test_alertmanager_says_when_a_resolved_alert_ended() -> None:
    """Alertmanager sends Go's zero time as the end of a firing alert: no end at all."""
    assert [event.ended_at for event in read(Alertmanager(), FIRING)] == [None, None]
    done = read(Alertmanager(), resolved(FIRING))
    assert {event.ended_at for event in done} == {datetime(2026, 2, 6, 13, 20, tzinfo=UTC)}


def test_alertmanager_without_fingerprint_uses_the_one_alertmanager_computes() -> None:
    alert = {key: value for key, value in FIRING["alerts"][0].items() if key != "fingerprint"}
    (event,) = read(Alertmanager(), {**FIRING, "alerts": [alert]})

    assert event.key == "alertmanager:" + prometheus_fingerprint(alert["labels"])
    # Stable: the same labels in another order are the same alert.
    shuffled = dict(reversed(list(alert["labels"].items())))
    (again,) = read(Alertmanager(), {**FIRING, "alerts": [{**alert, "labels": shuffled}]})
    assert again.key == event.key


def test_prometheus_fingerprint_matches_prometheus_test_vectors() -> None:
    # prometheus/common model: TestMetricToFingerprint.
    garland = {"name": "garland, briggs", "fear": "love is not enough"}
    assert prometheus_fingerprint(garland) == f"{5799056148416392346:016x}"
    assert prometheus_fingerprint({}) == f"{14695981039346656037:016x}"


def test_alertmanager_says_when_alerts_were_truncated() -> None:
    events = read(Alertmanager(), {**FIRING, "truncatedAlerts": 7})

    assert len(events) == 2
    for event in events:
        assert "7 more alerts" in event.text
        assert "http://alertmanager.example.test:9093" in event.text


def test_alertmanager_without_truncation_says_nothing_of_it() -> None:
    for event in read(Alertmanager(), FIRING):
        assert "more alerts" not in event.text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"alerts": {"0": {}}}, "alerts"),
        ({"alerts": ["nope"]}, "alerts[0]"),
        ({"truncatedAlerts": "many"}, "truncatedAlerts"),
        ({"truncatedAlerts": -1}, "truncatedAlerts"),
    ],
)
def test_alertmanager_refuses_a_group_of_the_wrong_shape(
    change: dict[str, Any], field: str
) -> None:
    assert payload_error(Alertmanager(), {**FIRING, **change}).field == field


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"labels": {"team": ["a", "b"]}}, "alerts[0].labels.team"),
        ({"labels": ["alertname", "x"]}, "alerts[0].labels"),
        ({"annotations": {"summary": {"text": "x"}}}, "alerts[0].annotations.summary"),
        ({"status": "pending"}, "alerts[0].status"),
        ({"status": None}, "alerts[0].status"),
        ({"startsAt": "yesterday"}, "alerts[0].startsAt"),
        ({"startsAt": ["2026"]}, "alerts[0].startsAt"),
        ({"generatorURL": "javascript:alert(1)"}, "alerts[0].generatorURL"),
        ({"fingerprint": 12}, "alerts[0].fingerprint"),
        ({"fingerprint": "f" * 10_000}, "alerts[0].fingerprint"),
        ({"labels": {f"l{n}": "v" for n in range(200)}}, "alerts[0].labels"),
        ({"labels": {"big": "v" * 5_000}}, "alerts[0].labels.big"),
    ],
)
def test_alertmanager_refuses_an_alert_of_the_wrong_shape(
    change: dict[str, Any], field: str
) -> None:
    alert = {**FIRING["alerts"][0], **change}
    error = payload_error(Alertmanager(), {**FIRING, "alerts": [alert]})
    assert error.field == field
    assert field in str(error)


def test_alertmanager_clips_long_prose_but_keeps_the_alert() -> None:
    notes = {"summary": "s" * 1_000, "description": "d" * 50_000}
    alert = {**FIRING["alerts"][0], "annotations": notes}
    (event,) = read(Alertmanager(), {**FIRING, "alerts": [alert]})

    assert len(event.title) == 255
    assert event.title.endswith("…")
    assert len(event.text) <= 20_000


# --- Zabbix ----------------------------------------------------------------------------------

ZABBIX_PROBLEM = {
    "event_id": "7342",
    "trigger_id": "13502",
    "host": "db01",
    "name": "High CPU utilization (over 90% for 5m)",
    "message": "Problem started at 10:02:11 on 2026.02.06\nHost: db01\nSeverity: High",
    "severity": "High",
    "nseverity": "4",
    "status": "PROBLEM",
    "event_value": "1",
    "url": "https://zabbix.example.test/tr_events.php?triggerid=13502&eventid=7342",
    "tags": {"service": "postgres", "scope": "performance"},
}
ZABBIX_RECOVERY = {
    **ZABBIX_PROBLEM,
    "status": "RESOLVED",
    "event_value": "0",
    "message": "Problem has been resolved at 10:14:40 on 2026.02.06",
}


def test_zabbix_problem() -> None:
    (event,) = read(Zabbix(), ZABBIX_PROBLEM)

    assert event.key == "zabbix:13502/db01"
    assert event.state is AlertState.FIRING
    assert event.title == "High CPU utilization (over 90% for 5m)"
    assert event.text.startswith("Problem started at 10:02:11")
    assert "service=postgres" in event.text
    assert event.severity == "High"
    assert event.source == "zabbix"
    assert event.labels["host"] == "db01"
    assert event.labels["event_id"] == "7342"
    assert event.labels["service"] == "postgres"
    assert event.url.startswith("https://zabbix.example.test/")


def test_zabbix_recovery_folds_into_the_problem() -> None:
    (problem,) = read(Zabbix(), ZABBIX_PROBLEM)
    (recovery,) = read(Zabbix(), ZABBIX_RECOVERY)

    assert recovery.key == problem.key
    assert recovery.state is AlertState.RESOLVED


def test_zabbix_reads_status_when_the_event_value_is_absent() -> None:
    body = {key: v for key, v in ZABBIX_RECOVERY.items() if key != "event_value"}
    assert read(Zabbix(), body)[0].state is AlertState.RESOLVED
    assert read(Zabbix(), {**body, "status": "OK"})[0].state is AlertState.RESOLVED
    assert read(Zabbix(), {**body, "status": "PROBLEM"})[0].state is AlertState.FIRING


def test_zabbix_numeric_severity_wins_over_a_renamed_one() -> None:
    body = {**ZABBIX_PROBLEM, "severity": "Grave", "nseverity": "5"}
    assert read(Zabbix(), body)[0].severity == "Disaster"
    renamed_only = {key: v for key, v in body.items() if key != "nseverity"}
    assert read(Zabbix(), renamed_only)[0].severity == "Grave"


def test_zabbix_unresolved_macros_read_as_absent() -> None:
    body = {**ZABBIX_PROBLEM, "nseverity": "{EVENT.NSEVERITY}", "event_value": "{EVENT.VALUE}"}
    (event,) = read(Zabbix(), body)
    assert event.severity == "High"
    assert event.state is AlertState.FIRING


def test_zabbix_accepts_numeric_ids_and_names_a_nameless_trigger() -> None:
    body = {**ZABBIX_PROBLEM, "trigger_id": 13502, "name": "", "subject": ""}
    (event,) = read(Zabbix(), body)
    assert event.key == "zabbix:13502/db01"
    assert "13502" in event.title
    assert "db01" in event.title


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"trigger_id": None}, "trigger_id"),
        ({"trigger_id": True}, "trigger_id"),
        ({"host": ""}, "host"),
        ({"host": "h" * 250}, "host"),
        ({"nseverity": "9"}, "nseverity"),
        ({"event_value": "2"}, "event_value"),
        ({"event_value": "", "status": ""}, "status"),
        ({"event_value": "", "status": "UPDATE"}, "status"),
        ({"tags": [{"tag": "a", "value": "b"}]}, "tags"),
        ({"url": "file:///etc/passwd"}, "url"),
        ({"message": 42}, "message"),
    ],
)
def test_zabbix_refuses_the_wrong_shape(change: dict[str, Any], field: str) -> None:
    assert payload_error(Zabbix(), {**ZABBIX_PROBLEM, **change}).field == field


# --- Nagios / Icinga -------------------------------------------------------------------------

NAGIOS_SERVICE_PROBLEM = {
    "NOTIFICATIONTYPE": "PROBLEM",
    "HOSTNAME": "web01",
    "SERVICEDESC": "HTTP",
    "SERVICESTATE": "CRITICAL",
    "SERVICEOUTPUT": "HTTP CRITICAL - Connection refused",
    "LONGSERVICEOUTPUT": "",
}
FORM = "application/x-www-form-urlencoded"


def test_nagios_service_problem_and_recovery_from_a_form() -> None:
    (problem,) = read(Nagios(), urlencode(NAGIOS_SERVICE_PROBLEM).encode(), content_type=FORM)
    recovery_fields = {
        **NAGIOS_SERVICE_PROBLEM,
        "NOTIFICATIONTYPE": "RECOVERY",
        "SERVICESTATE": "OK",
        "SERVICEOUTPUT": "HTTP OK: HTTP/1.1 200 OK",
    }
    (recovery,) = read(Nagios(), urlencode(recovery_fields).encode(), content_type=FORM)

    assert problem.key == recovery.key == "nagios:web01/HTTP"
    assert problem.state is AlertState.FIRING
    assert recovery.state is AlertState.RESOLVED
    assert problem.title == "HTTP on web01 is CRITICAL"
    assert problem.text == "HTTP CRITICAL - Connection refused"
    assert problem.severity == "critical"
    assert problem.labels == {"host": "web01", "service": "HTTP", "state": "CRITICAL"}


def test_nagios_host_problem_from_json() -> None:
    body = {
        "NOTIFICATIONTYPE": "PROBLEM",
        "HOSTNAME": "web01",
        "HOSTSTATE": "DOWN",
        "HOSTOUTPUT": "PING CRITICAL - Packet loss = 100%",
        "URL": "https://icinga.example.test/icingaweb2/monitoring/host/show?host=web01",
    }
    (event,) = read(Nagios(), body)

    assert event.key == "nagios:web01"
    assert event.title == "web01 is DOWN"
    assert event.severity == "down"
    assert severity_priority("nagios", event.severity) == "urgent"
    assert event.url.startswith("https://icinga.example.test/")


def test_nagios_without_content_type_is_sniffed() -> None:
    body = urlencode(NAGIOS_SERVICE_PROBLEM).encode()
    assert read(Nagios(), body, content_type="")[0].key == "nagios:web01/HTTP"
    as_json = json.dumps(NAGIOS_SERVICE_PROBLEM).encode()
    assert read(Nagios(), as_json, content_type="")[0].key == "nagios:web01/HTTP"


@pytest.mark.parametrize(
    "kind",
    ["ACKNOWLEDGEMENT", "FLAPPINGSTART", "FLAPPINGSTOP", "DOWNTIMESTART", "DOWNTIMEEND", "CUSTOM"],
)
def test_nagios_bookkeeping_notifications_are_no_events(kind: str) -> None:
    assert read(Nagios(), {**NAGIOS_SERVICE_PROBLEM, "NOTIFICATIONTYPE": kind}) == []


def test_icinga_types_in_any_case() -> None:
    (event,) = read(Nagios(), {**NAGIOS_SERVICE_PROBLEM, "NOTIFICATIONTYPE": "Problem"})
    assert event.state is AlertState.FIRING
    assert read(Nagios(), {**NAGIOS_SERVICE_PROBLEM, "NOTIFICATIONTYPE": "FlappingEnd"}) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"NOTIFICATIONTYPE": "EXPLODED"}, "NOTIFICATIONTYPE"),
        ({"NOTIFICATIONTYPE": ""}, "NOTIFICATIONTYPE"),
        ({"HOSTNAME": ""}, "HOSTNAME"),
        ({"HOSTNAME": "h" * 10_000}, "HOSTNAME"),
        ({"SERVICEDESC": "s" * 250}, "SERVICEDESC"),
        ({"SERVICEDESC": ["HTTP"]}, "SERVICEDESC"),
    ],
)
def test_nagios_refuses_the_wrong_shape(change: dict[str, Any], field: str) -> None:
    assert payload_error(Nagios(), {**NAGIOS_SERVICE_PROBLEM, **change}).field == field


# --- our own JSON ----------------------------------------------------------------------------


def test_generic_alert_with_a_key() -> None:
    body = {
        "key": "disk-full/db01",
        "title": "Disk almost full on db01",
        "text": "/var at 97%",
        "severity": "warning",
        "labels": {"host": "db01", "percent": 97, "page": False},
        "url": "https://grafana.example.test/d/disks",
        "started_at": 1_770_000_000,
    }
    (event,) = read(GenericAlert(), body)

    assert event.key == "generic:disk-full/db01"
    assert event.state is AlertState.FIRING
    assert event.title == "Disk almost full on db01"
    assert event.text.startswith("/var at 97%")
    assert event.labels == {"host": "db01", "percent": "97", "page": "false"}
    assert event.severity == "warning"
    assert event.source == "generic"
    assert event.started_at == datetime.fromtimestamp(1_770_000_000, tz=UTC)
    (done,) = read(GenericAlert(), {"key": "disk-full/db01", "status": "resolved"})
    assert done.key == event.key
    assert done.state is AlertState.RESOLVED
    assert done.title == "disk-full/db01"


@pytest.mark.parametrize("body", [{"title": "no key"}, {"key": ""}, {"key": None}, {"key": "  "}])
def test_generic_alert_without_a_key_says_so(body: dict[str, Any]) -> None:
    error = payload_error(GenericAlert(), body)
    assert error.field == "key"
    assert "key" in str(error)
    assert "missing" in str(error)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"key": "k" * 10_000}, "key"),
        ({"key": "k" * 201}, "key"),
        ({"key": ["a"]}, "key"),
        ({"key": "k", "status": "maybe"}, "status"),
        ({"key": "k", "labels": {"x": ["a", "b"]}}, "labels.x"),
        ({"key": "k", "labels": "host=db01"}, "labels"),
        ({"key": "k", "title": 3}, "title"),
        ({"key": "k", "started_at": "soon"}, "started_at"),
        ({"key": "k", "started_at": 10**20}, "started_at"),
    ],
)
def test_generic_alert_refuses_the_wrong_shape(body: dict[str, Any], field: str) -> None:
    assert payload_error(GenericAlert(), body).field == field


def test_generic_alert_key_of_200_characters_is_fine() -> None:
    assert read(GenericAlert(), {"key": "k" * 200})[0].key == "generic:" + "k" * 200


# --- severities ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "severity", "priority"),
    [
        ("alertmanager", "critical", "urgent"),
        ("zabbix", "Disaster", "urgent"),
        ("zabbix", "High", "high"),
        ("zabbix", "Average", "high"),
        ("zabbix", "Warning", "normal"),
        ("zabbix", "Information", "low"),
        ("zabbix", "Not classified", "low"),
        ("zabbix", "not_classified", "low"),
        ("zabbix", "5", "urgent"),
        ("zabbix", "0", "low"),
        ("alertmanager", "error", "high"),
        ("alertmanager", "warning", "normal"),
        ("alertmanager", "info", "low"),
        ("nagios", "critical", "urgent"),
        ("nagios", "warning", "normal"),
        ("nagios", "unknown", "normal"),
        ("nagios", "down", "urgent"),
        ("nagios", "unreachable", "high"),
        ("generic", "  URGENT ", "urgent"),
        ("generic", "", "normal"),
        ("generic", "🔥", "normal"),
        ("alertmanager", "5", "normal"),
    ],
)
def test_severity_priority(source: str, severity: str, priority: str) -> None:
    assert severity_priority(source, severity) == priority


# --- signatures ------------------------------------------------------------------------------

RECEIVERS = [Alertmanager(), Zabbix(), Nagios(), GenericAlert()]
BODY = json.dumps({"key": "k"}).encode()


def signed(headers: dict[str, str], *, config: AccountConfig = CONFIG) -> None:
    for receiver in RECEIVERS:
        receiver.verify(config, request(BODY, headers=headers))


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def digest(key: str, body: bytes) -> str:
    return "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    "headers",
    [
        {"authorization": f"Bearer {TOKEN}"},
        {"authorization": f"bearer   {TOKEN}"},
        {"authorization": basic("alertmanager", TOKEN)},
        {"authorization": basic("", TOKEN)},
        {"x-atiende-signature": digest(TOKEN, BODY)},
        {"x-atiende-signature": digest(TOKEN, BODY).upper().replace("SHA256=", "sha256=")},
        {"authorization": f"Bearer {TOKEN}", "x-atiende-signature": digest(TOKEN, BODY)},
    ],
)
def test_good_credentials(headers: dict[str, str]) -> None:
    signed(headers)


@pytest.mark.parametrize(
    "headers",
    [
        {},  # missing
        {"authorization": "Bearer wrong"},
        {"authorization": f"Bearer {TOKEN}x"},
        {"authorization": basic("x", "wrong")},
        {"authorization": basic(TOKEN, "")},
        {"x-atiende-signature": digest("wrong", BODY)},
        {"x-atiende-signature": digest(TOKEN, BODY + b" ")},
        # malformed
        {"authorization": "Bearer"},
        {"authorization": "Bearer "},
        {"authorization": f"Token {TOKEN}"},
        {"authorization": TOKEN},
        {"authorization": "Basic !!!not-base64!!!"},
        {"authorization": "Basic " + base64.b64encode(TOKEN.encode()).decode()},
        {"authorization": "Basic " + base64.b64encode(b"\xff\xfe:\x00").decode()},
        {"authorization": "Bearer tökén-ñ"},
        {"x-atiende-signature": "sha1=" + "0" * 40},
        {"x-atiende-signature": "sha256=zz"},
        {"x-atiende-signature": "sha256=" + "0" * 63},
        {"x-atiende-signature": hmac.new(TOKEN.encode(), BODY, hashlib.sha256).hexdigest()},
        # one right and one wrong is wrong
        {"authorization": f"Bearer {TOKEN}", "x-atiende-signature": digest("wrong", BODY)},
        {"authorization": "Bearer wrong", "x-atiende-signature": digest(TOKEN, BODY)},
    ],
)
def test_bad_credentials(headers: dict[str, str]) -> None:
    for receiver in RECEIVERS:
        with pytest.raises(SignatureError):
            receiver.verify(CONFIG, request(BODY, headers=headers))


def test_an_account_without_token_accepts_nothing() -> None:
    empty = AccountConfig(provider="alerts", settings={}, secrets={}, api_base="")
    for receiver in RECEIVERS:
        with pytest.raises(SignatureError):
            receiver.verify(empty, request(BODY, headers={"authorization": "Bearer "}))
        with pytest.raises(SignatureError):
            receiver.verify(empty, request(BODY, headers={"x-atiende-signature": digest("", BODY)}))


def test_receivers_say_their_channel() -> None:
    assert {receiver.channel for receiver in RECEIVERS} == {"alert"}
    assert [receiver.provider for receiver in RECEIVERS] == [
        "alertmanager",
        "zabbix",
        "nagios",
        "generic_alert",
    ]


# --- hostile input ---------------------------------------------------------------------------

HOSTILE_BODIES = [
    b"",
    b"not json at all",
    b"\xff\xfe\x00garbage",
    b"[1, 2, 3]",
    b'"a string"',
    b"null",
    b'{"key": NaN}',
    b"[" * 100_000,
    b"{" * 100_000,
    b"x" * (5 * 1024 * 1024),
    b'{"a": 1' + b" " * (2 * 1024 * 1024) + b"}",
]


@pytest.mark.parametrize("receiver", RECEIVERS, ids=lambda receiver: receiver.provider)
@pytest.mark.parametrize("body", HOSTILE_BODIES, ids=lambda body: repr(body[:12]))
def test_hostile_bodies_are_payload_errors(receiver: Receiver, body: bytes) -> None:
    with pytest.raises(PayloadError) as caught:
        receiver.read(CONFIG, request(body))
    assert caught.value.field


def test_five_megabytes_say_the_limit() -> None:
    error = payload_error(Alertmanager(), b"x" * (5 * 1024 * 1024))
    assert error.field == "body"
    assert str(MAX_BODY_BYTES) in str(error)


def fields_of(names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with the documented names (and others), each holding any JSON value."""
    return st.dictionaries(st.sampled_from(names) | st.text(max_size=8), JSON, max_size=len(names))


TEXTS = st.dictionaries(st.text(max_size=8), st.text(max_size=20), max_size=4)
ALERTMANAGER_ALERT = fields_of(
    ["status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint"]
) | st.fixed_dictionaries(
    {"status": st.sampled_from(["firing", "resolved"]) | JSON, "labels": TEXTS | JSON},
    optional={
        "annotations": TEXTS | JSON,
        "startsAt": st.datetimes().map(datetime.isoformat) | JSON,
        "generatorURL": st.just("http://prometheus.test/graph") | JSON,
        "fingerprint": st.text(max_size=20) | JSON,
    },
)
SHAPES: dict[str, st.SearchStrategy[Any]] = {
    "alertmanager": JSON
    | st.fixed_dictionaries(
        {"alerts": st.lists(ALERTMANAGER_ALERT | JSON, max_size=3)},
        optional={"truncatedAlerts": JSON, "externalURL": JSON, "version": JSON},
    ),
    "zabbix": JSON
    | fields_of(list(ZABBIX_PROBLEM))
    | st.fixed_dictionaries({k: st.just(v) | JSON for k, v in ZABBIX_PROBLEM.items()}),
    "nagios": JSON
    | fields_of([*NAGIOS_SERVICE_PROBLEM, "HOSTSTATE", "HOSTOUTPUT", "URL"])
    | st.fixed_dictionaries({k: st.just(v) | JSON for k, v in NAGIOS_SERVICE_PROBLEM.items()}),
    "generic_alert": JSON
    | fields_of(["key", "status", "title", "text", "severity", "labels", "url", "started_at"]),
}


def never_raises_but_payload_error(receiver: Receiver, value: Any) -> None:
    result = outcome(receiver, CONFIG, request(json.dumps(value).encode()))
    if isinstance(result, PayloadError):
        assert result.field
        return
    for event in result:
        assert isinstance(event, AlertEvent)
        assert len(event.key) <= 255
        assert len(event.title) <= 255


@PROPERTY
@given(SHAPES["alertmanager"])
def test_random_json_alertmanager(value: Any) -> None:
    never_raises_but_payload_error(Alertmanager(), value)


@PROPERTY
@given(SHAPES["zabbix"])
def test_random_json_zabbix(value: Any) -> None:
    never_raises_but_payload_error(Zabbix(), value)


@PROPERTY
@given(SHAPES["nagios"])
def test_random_json_nagios(value: Any) -> None:
    never_raises_but_payload_error(Nagios(), value)


@PROPERTY
@given(st.lists(st.tuples(st.text(max_size=20), st.text(max_size=20)), max_size=8))
def test_random_forms_nagios(pairs: list[tuple[str, str]]) -> None:
    result = outcome(Nagios(), CONFIG, request(urlencode(pairs).encode(), content_type=FORM))
    assert not isinstance(result, PayloadError) or result.field


@PROPERTY
@given(SHAPES["generic_alert"])
def test_random_json_generic(value: Any) -> None:
    never_raises_but_payload_error(GenericAlert(), value)

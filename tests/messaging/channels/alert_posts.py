"""What the alert-ticket tests post: alert accounts, and each monitor's webhook as the monitor
sends it, through the real ``/hooks/<key>/`` view (processing runs at once, in the request)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine
from django.test import Client

from atiende.messaging.channels import services
from atiende.messaging.models import ChannelAccount, ChannelPayload, ChannelPayloadState
from atiende.tickets.models import Message, Ticket
from tests.factories import SYSTEM, make_group

TOKEN = "alert-token-9f1c2b7e5d"
START = datetime(2026, 2, 6, 13, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    """The view's processing task runs inside the request, as ATIENDE_TASKS_IMMEDIATE does."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    """Time stands still until a test moves it (``clock.shift``)."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def alert_account(provider: str = "alertmanager", **settings: str) -> ChannelAccount:
    return services.create_account(
        SYSTEM,
        provider=provider,
        name="Prometheus producción",
        group_id=make_group().pk,
        settings=settings,
        secrets={"token": TOKEN},
    )


def post_json(client: Client, account: ChannelAccount, body: dict[str, Any]) -> ChannelPayload:
    """``body`` posted as the monitor would; the payload row it left."""
    answer = client.post(
        f"/hooks/{account.webhook_key}/",
        data=json.dumps(body).encode(),
        content_type="application/json",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code == 200
    return ChannelPayload.objects.order_by("-pk").first()  # type: ignore[return-value]


def post_form(client: Client, account: ChannelAccount, fields: dict[str, str]) -> ChannelPayload:
    """A form as Nagios' ``curl --data-urlencode`` posts it."""
    answer = client.post(
        f"/hooks/{account.webhook_key}/",
        data=urlencode(fields).encode(),
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code == 200
    return ChannelPayload.objects.order_by("-pk").first()  # type: ignore[return-value]


def prometheus_alert(
    fingerprint: str,
    *,
    severity: str = "critical",
    status: str = "firing",
    starts: str = "2026-02-06T12:58:00Z",
    summary: str = "",
) -> dict[str, Any]:
    """One alert of an Alertmanager notification (webhook version 4)."""
    instance = f"https://{fingerprint}.example.test"
    return {
        "status": status,
        "labels": {
            "alertname": "ProbeFailure",
            "instance": instance,
            "job": "http_checks",
            "severity": severity,
        },
        "annotations": {
            "summary": summary or f"Probe failure: {instance}",
            "description": f"{instance} has been down for over 5m.",
        },
        "startsAt": starts,
        "endsAt": "2026-02-06T13:20:00Z" if status == "resolved" else "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus.example.test:9090/graph?g0.expr=probe_success",
        "fingerprint": fingerprint,
    }


def notification(*alerts: dict[str, Any]) -> dict[str, Any]:
    """An Alertmanager notification carrying ``alerts``."""
    firing = any(alert["status"] == "firing" for alert in alerts)
    return {
        "version": "4",
        "groupKey": '{}:{alertname="ProbeFailure"}',
        "truncatedAlerts": 0,
        "status": "firing" if firing else "resolved",
        "receiver": "atiende",
        "groupLabels": {"alertname": "ProbeFailure"},
        "commonLabels": {"alertname": "ProbeFailure"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.example.test:9093",
        "alerts": list(alerts),
    }


def notes(ticket: Ticket) -> list[str]:
    """The ticket's internal notes, oldest first."""
    found = Message.objects.filter(ticket=ticket, public=False).order_by("pk")
    return list(found.values_list("body_text", flat=True))


def status_category(ticket: Ticket) -> str:
    return str(Ticket.objects.select_related("status").get(pk=ticket.pk).status.category)


def processed(payload: ChannelPayload) -> ChannelPayload:
    assert payload.state == ChannelPayloadState.PROCESSED, payload.reason
    return payload

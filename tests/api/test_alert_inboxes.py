"""/api/v1/mailboxes: a mailbox marked as an alert inbox (issue 16, alert emails)."""

from __future__ import annotations

from typing import Any

import pytest

from atiende.messaging.models import ChannelAccount, Mailbox
from tests.api.conftest import fields, problem
from tests.factories import make_admin, make_agent, make_group

pytestmark = pytest.mark.django_db

ALERTS = {"address": "alertas@example.com", "inbound_method": "upload"}


@pytest.fixture
def admin(as_user: Any) -> Any:
    return as_user(make_admin())


def test_an_admin_makes_a_mailbox_an_alert_inbox_with_its_senders(admin: Any) -> None:
    created = admin.post(
        "/mailboxes",
        {**ALERTS, "alert_inbox": True, "alert_senders": ["Zabbix@Monitor.example.net"]},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["alert_inbox"] is True and body["alert_solve_on_recovery"] is True
    assert body["alert_senders"] == ["zabbix@monitor.example.net"]
    account = ChannelAccount.objects.get()
    assert account.provider == "alert_email" and not account.active

    changed = admin.patch(
        f"/mailboxes/{body['id']}",
        {"alert_senders": ["@monitor.example.net"], "alert_solve_on_recovery": False},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["alert_senders"] == ["@monitor.example.net"]
    account.refresh_from_db()
    assert account.settings == {"solve_on_recovery": "false"}
    assert admin.get("/channel-accounts").json()["items"] == []  # the mailbox's, not listed


def test_a_bad_sender_is_a_problem_naming_the_field(admin: Any) -> None:
    answer = admin.post("/mailboxes", {**ALERTS, "alert_senders": ["nobody"]})

    assert "alert_senders" in fields(problem(answer, 422))
    assert not Mailbox.objects.exists() and not ChannelAccount.objects.exists()


def test_an_alert_inbox_webhook_url_answers_404(admin: Any, client: Any) -> None:
    admin.post("/mailboxes", {**ALERTS, "alert_inbox": True})
    account = ChannelAccount.objects.get()

    answer = client.post(
        f"/hooks/{account.webhook_key}/", data=b"{}", content_type="application/json"
    )

    assert answer.status_code == 404


def test_agents_may_not_make_an_alert_inbox(as_user: Any) -> None:
    agent = as_user(make_agent(make_group("Soporte")))

    problem(agent.post("/mailboxes", {**ALERTS, "alert_inbox": True}), 403)
    assert not ChannelAccount.objects.exists()

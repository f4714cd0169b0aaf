"""The mailbox settings page marks a mailbox as an alert inbox (issue 16, alert emails)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from atiende.messaging.models import ChannelAccount, Mailbox
from tests.factories import make_admin, make_agent
from tests.web.test_mail_mailboxes import FORM, client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ALERT_FORM = {
    **FORM,
    "address": "alertas@example.com",
    "inbound_method": "upload",
    "alert_inbox": "on",
    "alert_senders": "zabbix@monitor.example.net\n@nagios.example.net",
    "alert_solve_on_recovery": "on",
}


def test_an_admin_makes_an_alert_inbox_from_the_settings_page() -> None:
    admin = client_for(make_admin())
    assert "Monitoring alerts" in admin.get(reverse("mail-mailbox-new")).content.decode()

    answer = admin.post(reverse("mail-mailbox-new"), ALERT_FORM)

    assert answer.status_code == 302, answer.content.decode()[:2000]
    box = Mailbox.objects.get()
    assert box.alert_inbox and box.alert_solve_on_recovery
    assert box.alert_senders == "zabbix@monitor.example.net\n@nagios.example.net"
    assert ChannelAccount.objects.get().provider == "alert_email"
    page = admin.get(reverse("mail-mailbox", args=[box.pk])).content.decode()
    assert "@nagios.example.net" in page and 'name="alert_inbox"' in page


def test_a_bad_sender_is_shown_next_to_its_field() -> None:
    admin = client_for(make_admin())

    answer = admin.post(reverse("mail-mailbox-new"), {**ALERT_FORM, "alert_senders": "nobody"})

    assert answer.status_code == 422
    assert "is neither an address" in answer.content.decode()
    assert not Mailbox.objects.exists() and not ChannelAccount.objects.exists()


def test_agents_cannot_reach_it() -> None:
    agent = client_for(make_agent())

    answer = agent.post(reverse("mail-mailbox-new"), ALERT_FORM)

    assert answer.status_code in (302, 403, 404) and not Mailbox.objects.exists()

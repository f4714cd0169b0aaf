"""/api/v1/channel-accounts/{id}/quarantine: an account's held webhook payloads, retried or put
aside as the settings screen does. Admins only; a payload is reached through its own account
only; a decision on a payload in the wrong state is a 409 that changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from atiende.accounts.models import Group
from atiende.messaging.channels import services
from atiende.messaging.channels.contract import Incoming
from atiende.messaging.channels.services.reasons import quarantine
from atiende.messaging.models import ChannelAccount, ChannelPayload, ChannelPayloadState
from atiende.tickets.models import Ticket
from tests.api.conftest import fields, problem
from tests.factories import SYSTEM, make_admin, make_agent, make_customer, make_group
from tests.messaging.channels import fake_telegram

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(as_user: Any) -> Any:
    return as_user(make_admin(name="Ada Admin"))


@pytest.fixture
def group() -> Group:
    return make_group("Soporte")


def telegram_account(group: Group | None = None, name: str = "Bot de soporte") -> ChannelAccount:
    return services.create_account(
        SYSTEM,
        provider="telegram",
        name=name,
        group_id=group.pk if group else None,
        secrets={"bot_token": fake_telegram.TOKEN, "webhook_secret": fake_telegram.SECRET},
    )


def post_hook(account: ChannelAccount, text: str, *, secret: str = fake_telegram.SECRET) -> int:
    message = fake_telegram.private_message(1, text=text)
    incoming: Incoming = fake_telegram.update(fake_telegram.message_update(message), secret=secret)
    headers = {k: v for k, v in incoming.headers.items() if k != "content-type"}
    answer = Client().post(
        f"/hooks/{account.webhook_key}/",
        data=incoming.body,
        content_type="application/json",
        headers=headers,
    )
    services.take_in_spool()  # a row to see even where the queue is not run
    return int(answer.status_code)


def refused(account: ChannelAccount, text: str = "Falsa") -> ChannelPayload:
    """A payload whose signature was refused: quarantined at once."""
    assert post_hook(account, text, secret="wrong") == 403
    return ChannelPayload.objects.filter(account=account).latest("id")


def base(account: ChannelAccount) -> str:
    return f"/channel-accounts/{account.pk}/quarantine"


def test_the_list_and_a_payload_show_the_reason_and_the_redacted_request(admin: Any) -> None:
    account = telegram_account()
    payload = refused(account, "Hola <script>")

    listing = admin.get(base(account))
    detail = admin.get(f"{base(account)}/{payload.pk}")

    assert listing.status_code == 200, listing.content
    (row,) = listing.json()["items"]
    assert (row["id"], row["account_id"], row["state"]) == (payload.pk, account.pk, "quarantined")
    assert "signature was refused" in row["reason"] and "body_preview" not in row
    body = detail.json()
    assert detail.status_code == 200 and body["state"] == "quarantined"
    assert body["headers"]["x-telegram-bot-api-secret-token"] == "[redacted]"
    assert '"text": "Hola <script>"' in body["body_preview"] and not body["body_truncated"]
    assert body["size"] == len(bytes(payload.body))
    assert fake_telegram.SECRET not in detail.content.decode()


def test_the_list_filters_by_state_and_pages(admin: Any) -> None:
    account = telegram_account()
    held = [refused(account, f"n{n}") for n in range(3)]
    admin.post(f"{base(account)}/{held[0].pk}/discard")

    quarantined = admin.get(base(account), params={"state": "quarantined"}).json()["items"]
    ignored = admin.get(base(account), params={"state": "ignored"}).json()["items"]
    first = admin.get(base(account), params={"limit": 2}).json()
    rest = admin.get(base(account), params={"limit": 2, "cursor": first["next_cursor"]}).json()

    assert [r["id"] for r in quarantined] == [held[2].pk, held[1].pk]
    assert [r["id"] for r in ignored] == [held[0].pk]
    assert [r["id"] for r in first["items"] + rest["items"]] == [p.pk for p in reversed(held)]
    assert rest["next_cursor"] is None


def test_retry_processes_a_payload_that_failed_into_its_ticket(
    admin: Any, settings: Any, group: Group
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # not run
    account = telegram_account(group)
    assert post_hook(account, "Mi pedido no llegó") == 200
    payload = ChannelPayload.objects.get()
    quarantine(payload.pk, "Processing failed: OperationalError: database is locked")

    answer = admin.post(f"{base(account)}/{payload.pk}/retry")

    assert answer.status_code == 200, answer.content
    assert answer.json()["state"] == "processed" and answer.json()["reason"] == ""
    assert Ticket.objects.get().subject == "Mi pedido no llegó"


def test_retry_never_bypasses_the_signature(admin: Any) -> None:
    account = telegram_account()
    payload = refused(account)

    answer = admin.post(f"{base(account)}/{payload.pk}/retry")

    assert answer.status_code == 200
    assert answer.json()["state"] == "quarantined" and "never checked" in answer.json()["reason"]
    assert not Ticket.objects.exists()


def test_discard_keeps_the_payload_as_ignored_with_who_did_it(admin: Any) -> None:
    account = telegram_account()
    payload = refused(account)

    answer = admin.post(f"{base(account)}/{payload.pk}/discard")

    assert answer.status_code == 200
    assert answer.json()["state"] == "ignored"
    assert answer.json()["reason"].startswith("Discarded by Ada Admin. The signature was refused")
    payload.refresh_from_db()
    assert payload.state == ChannelPayloadState.IGNORED


# --- bad input ------------------------------------------------------------------------------


def test_an_unknown_account_or_payload_is_a_404(admin: Any) -> None:
    account = telegram_account()
    payload = refused(account)

    for path in (
        "/channel-accounts/999999/quarantine",
        f"/channel-accounts/999999/quarantine/{payload.pk}",
        f"{base(account)}/999999",
    ):
        problem(admin.get(path), 404)
    for action in ("retry", "discard"):
        problem(admin.post(f"{base(account)}/999999/{action}"), 404)
    payload.refresh_from_db()
    assert payload.state == ChannelPayloadState.QUARANTINED


def test_another_accounts_payload_is_a_404_and_stays_as_it_was(admin: Any) -> None:
    ours = telegram_account(name="Bot de ventas")
    theirs = refused(telegram_account(name="Bot de soporte"))

    problem(admin.get(f"{base(ours)}/{theirs.pk}"), 404)
    problem(admin.post(f"{base(ours)}/{theirs.pk}/retry"), 404)
    problem(admin.post(f"{base(ours)}/{theirs.pk}/discard"), 404)

    assert admin.get(base(ours)).json()["items"] == []
    theirs.refresh_from_db()
    assert theirs.state == ChannelPayloadState.QUARANTINED and theirs.attempts == 0


def test_a_payload_not_in_quarantine_is_a_409_that_changes_nothing(
    admin: Any, settings: Any, group: Group
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # not run
    account = telegram_account(group)
    assert post_hook(account, "Hola") == 200
    waiting = ChannelPayload.objects.get()  # received, not yet processed
    ignored = refused(account)
    admin.post(f"{base(account)}/{ignored.pk}/discard")

    retried = admin.post(f"{base(account)}/{waiting.pk}/retry")
    discarded = admin.post(f"{base(account)}/{waiting.pk}/discard")
    again = admin.post(f"{base(account)}/{ignored.pk}/discard")

    assert "only quarantined or ignored payloads can be retried" in problem(retried, 409)["detail"]
    assert "only quarantined payloads can be put aside" in problem(discarded, 409)["detail"]
    assert "only quarantined payloads can be put aside" in problem(again, 409)["detail"]
    waiting.refresh_from_db()
    assert waiting.state == ChannelPayloadState.RECEIVED and not Ticket.objects.exists()


def test_a_bad_state_or_id_is_a_422_naming_it(admin: Any) -> None:
    account = telegram_account()

    assert "state" in fields(problem(admin.get(base(account), params={"state": "gone"}), 422))
    assert admin.get("/channel-accounts/abc/quarantine").status_code == 422
    assert admin.post(f"{base(account)}/0/retry").status_code == 422


@pytest.mark.parametrize("who", ["agent", "customer"])
def test_only_admins_may_see_or_decide(as_user: Any, who: str) -> None:
    account = telegram_account()
    payload = refused(account)
    caller = as_user(make_agent() if who == "agent" else make_customer())

    problem(caller.get(base(account)), 403)
    problem(caller.get(f"{base(account)}/{payload.pk}"), 403)
    problem(caller.post(f"{base(account)}/{payload.pk}/retry"), 403)
    problem(caller.post(f"{base(account)}/{payload.pk}/discard"), 403)

    payload.refresh_from_db()
    assert payload.state == ChannelPayloadState.QUARANTINED and payload.attempts == 0


def test_without_a_token_it_is_a_401(client: Client) -> None:
    account = telegram_account()
    payload = refused(account)

    answer = client.post(f"/api/v1{base(account)}/{payload.pk}/discard")

    assert answer.status_code == 401
    payload.refresh_from_db()
    assert payload.state == ChannelPayloadState.QUARANTINED

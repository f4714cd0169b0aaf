"""The public form's visitors: found or created as customers, spam refused quietly (honeypot,
too fast, forged or expired stamp, rate limits per address and per network), and the
acknowledgement promised once and mailed through a real SMTP server."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from email import message_from_bytes, policy
from typing import Any

import pytest
import time_machine

from atiende.accounts.models import User
from atiende.core.errors import Invalid
from atiende.intake import services, spam
from atiende.intake.acknowledgement import ticket_id_of
from atiende.intake.models import Form
from atiende.messaging.models import InboundMethod, Mailbox, Security
from atiende.outbox.models import Effect
from atiende.outbox.tasks import deliver_due_effects
from atiende.tickets.models import Channel, Ticket
from tests.factories import web
from tests.intake.helpers import guard, printer_form
from tests.messaging.servers import SmtpSink

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
VISITOR = web(None)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def form(clock: Any) -> Form:
    return printer_form(public=True, min_fill_seconds=3)


def data(email: str = "lucia@cliente.test", **extra: Any) -> dict[str, Any]:
    return {
        "subject": "La impresora se atasca",
        "description": "Cada dos páginas se atasca el papel.",
        "custom_fields.product": "printer",
        "custom_fields.issue": "ink",
        "name": "Lucía Pérez",
        "email": email,
        **extra,
    }


def send(form: Form, clock: Any, *, email: str = "lucia@cliente.test", **kw: Any) -> Ticket:
    """Fill the form as a person does: the page, then a few seconds, then the submission."""
    given = guard(form, **kw)
    clock.shift(dt.timedelta(seconds=5))
    return services.submit(
        VISITOR, form_id=form.pk, data=data(email), guard=given, site_url="http://help.test"
    )


def test_a_visitor_becomes_an_unverified_customer_and_opens_a_web_ticket(
    form: Form, clock: Any
) -> None:
    ticket = send(form, clock)
    visitor = User.objects.get(email="lucia@cliente.test")
    assert ticket.requester == visitor and ticket.channel == Channel.WEB
    assert visitor.is_customer and visitor.name == "Lucía Pérez"
    assert not visitor.has_usable_password()
    assert not visitor.emailaddress_set.filter(verified=True).exists()


def test_a_visitor_known_by_address_gets_the_ticket_on_their_account(
    form: Form, clock: Any
) -> None:
    first = send(form, clock)
    second = send(form, clock)
    assert first.requester_id == second.requester_id
    assert User.objects.filter(email="lucia@cliente.test").count() == 1


def test_a_visitor_without_an_email_is_told_next_to_the_field(form: Form, clock: Any) -> None:
    given = guard(form)
    clock.shift(dt.timedelta(seconds=5))
    with pytest.raises(Invalid) as caught:
        services.submit(VISITOR, form_id=form.pk, data=data(email="not an address"), guard=given)
    assert [e.field for e in caught.value.errors] == ["email"]


def refused(form: Form, given: spam.Guard, error: type[Exception] = spam.Refused) -> str:
    with pytest.raises(error) as caught:
        services.submit(VISITOR, form_id=form.pk, data=data(), guard=given)
    assert not Ticket.objects.exists() and not User.objects.filter(role="customer").exists()
    return str(caught.value)


GENERIC = "We could not accept this submission. Please reload the page and try again."


def test_the_honeypot_refuses_quietly(form: Form, clock: Any) -> None:
    given = guard(form, honeypot="http://spam.test")
    clock.shift(dt.timedelta(seconds=30))
    assert refused(form, given) == GENERIC


def test_a_submission_faster_than_the_minimum_is_refused(form: Form, clock: Any) -> None:
    given = guard(form)
    clock.shift(dt.timedelta(seconds=2))
    assert refused(form, given) == GENERIC


@pytest.mark.parametrize("how", ["forged", "other form", "expired", "missing"])
def test_a_forged_or_expired_stamp_is_refused(form: Form, clock: Any, how: str) -> None:
    given = guard(form)
    if how == "forged":
        given = spam.Guard(given.stamp[:-2] + "xx", "", given.remote_addr)
    elif how == "other form":
        given = spam.Guard(spam.make_stamp(form.pk + 1), "", given.remote_addr)
    elif how == "missing":
        given = spam.Guard("", "", given.remote_addr)
    clock.shift(dt.timedelta(days=2) if how == "expired" else dt.timedelta(seconds=10))
    assert refused(form, given) == GENERIC


def test_the_rate_limit_per_address(form: Form, clock: Any, settings: Any) -> None:
    settings.ATIENDE_FORM_RATE = {"per_address": 2, "per_network": 100}
    send(form, clock, addr="198.51.100.1")
    send(form, clock, addr="192.0.2.1")
    given = guard(form, addr="203.0.113.50")
    clock.shift(dt.timedelta(seconds=5))
    with pytest.raises(spam.TooMany):
        services.submit(VISITOR, form_id=form.pk, data=data(), guard=given)
    send(form, clock, email="otra@cliente.test", addr="203.0.113.50")  # another address may


@pytest.mark.parametrize(
    ("first", "second", "same_network", "other_network"),
    [
        ("203.0.113.7", "203.0.113.99", "203.0.113.250", "203.0.114.1"),
        ("2001:db8:1:2::1", "2001:db8:1:2:ffff::9", "2001:db8:1:2::abcd", "2001:db8:1:3::1"),
    ],
)
def test_the_rate_limit_per_network(
    form: Form, clock: Any, settings: Any, first: str, second: str, same_network: str,
    other_network: str,
) -> None:  # fmt: skip
    settings.ATIENDE_FORM_RATE = {"per_address": 100, "per_network": 2}
    send(form, clock, email="a@cliente.test", addr=first)
    send(form, clock, email="b@cliente.test", addr=second)
    given = guard(form, addr=same_network)
    clock.shift(dt.timedelta(seconds=5))
    with pytest.raises(spam.TooMany):
        services.submit(VISITOR, form_id=form.pk, data=data("c@cliente.test"), guard=given)
    send(form, clock, email="c@cliente.test", addr=other_network)
    # The next window starts afresh.
    clock.shift(dt.timedelta(hours=1))
    send(form, clock, email="d@cliente.test", addr=same_network)


def test_network_of() -> None:
    assert spam.network_of("203.0.113.77") == "203.0.113.0/24"
    assert spam.network_of("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert spam.network_of("::ffff:203.0.113.77") == "203.0.113.0/24"


def test_the_acknowledgement_is_written_once_and_mailed_through_smtp(
    form: Form, clock: Any, smtp_sink: SmtpSink, settings: Any
) -> None:
    settings.ATIENDE_OUTBOX_DELIVER_AT_ONCE = False  # the worker's sweep delivers it
    Mailbox.objects.create(
        address="soporte@helpdesk.test",
        display_name="Soporte",
        inbound_method=InboundMethod.SMTP,
        smtp_host="127.0.0.1",
        smtp_port=smtp_sink.port,
        smtp_security=Security.NONE,
    )
    services.update_form(form_actor(), form_id=form.pk, changes={"language": "es"})
    ticket = send(form, clock)
    assert Effect.objects.filter(kind="intake.acknowledgement").count() == 1
    deliver_due_effects.call()
    deliver_due_effects.call()  # a second sweep has nothing left to send
    assert not Effect.objects.filter(kind="mail.received").exists()  # no second receipt
    [received] = smtp_sink.received
    assert received.rcpt_tos == ["lucia@cliente.test"]
    mail = message_from_bytes(received.raw, policy=policy.default)
    assert mail["Subject"] == (
        f"[#{ticket.number}] Hemos recibido su solicitud: La impresora se atasca"
    )
    assert mail["From"] == "Soporte <soporte@helpdesk.test>"
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert f"abierto el ticket #{ticket.number}" in text
    link = next(line for line in text.splitlines() if line.startswith("http://help.test/"))
    assert ticket_id_of(link.rstrip("/").rsplit("/", 1)[1]) == ticket.pk


def form_actor() -> Any:
    from tests.factories import SYSTEM

    return SYSTEM


@pytest.mark.parametrize("replaces", [False, True])
def test_the_acknowledgement_carries_the_out_of_hours_notice(
    form: Form, clock: Any, replaces: bool
) -> None:
    from atiende.intake.acknowledgement import render
    from atiende.messaging.outbound import notices

    ticket = send(form, clock)
    before = notices._provider
    notices.use_notice_provider(lambda t, lang: notices.Notice(f"Cerrado ({lang}).", replaces))
    try:
        _subject, text = render(ticket, language="es", link="http://help.test/s/")
    finally:
        notices.use_notice_provider(before)
    assert text.startswith("Cerrado (es).\n")
    assert "http://help.test/s/" in text
    assert ("Hemos recibido su solicitud" in text) is not replaces

"""Issue 14's scenario, end to end through email, in Spanish, with the clock under control.

A customer of a VIP organization writes "urgente: el sistema está caído" on Friday 4 December
2026 at 19:00 in Santiago (UTC−3 in summer; 7 and 8 December: Monday is a working day, Tuesday
the Inmaculada Concepción). Everything is configured through the services, as an admin would;
mail comes in through the inbound pipeline fed raw RFC 822 bytes as the transports do, and goes
out through the outbox to a real SMTP server on loopback. The scheduler's minute tasks are run
as the worker runs them (``task.call()``) while the clock moves through the weekend.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from atiende.accounts import services as accounts
from atiende.accounts.models import AgentStatus, Group, Organization, Role, User
from atiende.automation.assignment.config import configure_assignment
from atiende.automation.assignment.tasks import drain_backlogs, hand_over_out_of_office
from atiende.automation.models import Strategy, Trigger
from atiende.automation.tasks import run_timed_rules
from atiende.automation.triggers.services import update_trigger
from atiende.core.actor import Actor, Source
from atiende.messaging.inbound.tasks import process_inbound
from atiende.messaging.mailboxes import create_mailbox
from atiende.messaging.models import InboundMethod, Mailbox, OutboundEmail, Security
from atiende.messaging.outbound.tasks import send_due_outbound
from atiende.notifications import selectors as notifications
from atiende.outbox.tasks import deliver_due_effects
from atiende.sla import selectors as sla_selectors
from atiende.sla.models import Calendar, SlaPolicy
from atiende.sla.services.calendars import create_calendar, set_group_calendar
from atiende.sla.services.policies import create_policy
from atiende.sla.tasks import sweep_sla_timers
from atiende.tickets import selectors as ticket_selectors
from atiende.tickets import services as tickets
from atiende.tickets.models import Ticket, TicketEvent
from atiende.tickets.services import config
from atiende.tickets.workload import agent_load
from tests.factories import PASSWORD, SYSTEM
from tests.messaging.mail import SUPPORT
from tests.messaging.servers import Received, SmtpSink, TestCertificates
from tests.messaging.test_smtpd import Receiver as SmtpReceiver

pytestmark = pytest.mark.django_db

SANTIAGO = ZoneInfo("America/Santiago")
SETUP = datetime(2026, 12, 4, 15, 0, tzinfo=SANTIAGO)  # Friday afternoon, the office open
FRIDAY_EVENING = datetime(2026, 12, 4, 19, 0, tzinfo=SANTIAGO)
MONDAY_OPENING = datetime(2026, 12, 7, 9, 0, tzinfo=SANTIAGO)
WARNING_AT = datetime(2026, 12, 7, 9, 45, tzinfo=SANTIAGO)
DUE_AT = datetime(2026, 12, 7, 10, 0, tzinfo=SANTIAGO)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
LUCIA = "lucia@minera-andes.cl"


@dataclass
class Team:
    """What the admin set up, by the names the scenario speaks of."""

    admin: Actor
    calendar: Calendar
    soporte: Group
    nivel2: Group
    ana: User
    bob: User
    carla: User
    sofia: User
    minera: Organization
    policy: SlaPolicy
    mailbox: Mailbox
    keyword_rule: Trigger
    vip_rule: Trigger


def staff(admin: Actor, name: str, email: str, role: str = Role.AGENT) -> User:
    return accounts.create_user(admin, email=email, password=PASSWORD, role=role, name=name)


def set_up_team(sink: SmtpSink) -> Team:
    """Configuration through the services, in the order an admin clicks through it."""
    sofia = accounts.create_user(
        SYSTEM, email="sofia@atiende.test", password=PASSWORD, role=Role.ADMIN, name="Sofía Rojas"
    )
    admin = Actor(user=sofia, source=Source.WEB)
    calendar = create_calendar(
        admin,
        name="Santiago",
        time_zone="America/Santiago",
        hours={day: [["09:00", "18:00"]] for day in WEEKDAYS},
        holiday_country="CL",
    )
    ana = staff(admin, "Ana Díaz", "ana@atiende.test")
    bob = staff(admin, "Bob Smith", "bob@atiende.test")
    carla = staff(admin, "Carla Muñoz", "carla@atiende.test")
    soporte = accounts.create_group(
        admin, name="Soporte", member_ids=[ana.pk, bob.pk, carla.pk, sofia.pk]
    )
    nivel2 = accounts.create_group(admin, name="Soporte Nivel 2", member_ids=[sofia.pk])
    set_group_calendar(admin, group_id=soporte.pk, calendar_id=calendar.pk)
    configure_assignment(
        admin, group_id=soporte.pk, strategy=Strategy.LEAST_LOAD, match_language=True
    )
    for agent, languages in ((ana, ["es"]), (bob, ["en"]), (carla, ["es"]), (sofia, ["es"])):
        accounts.update_availability(admin, user_id=agent.pk, changes={"languages": languages})
    # Sofía supervises; she takes no tickets herself.
    accounts.set_agent_status(admin, user_id=sofia.pk, status=AgentStatus.OFFLINE)
    for agent in (ana, bob, carla):
        accounts.set_agent_status(admin, user_id=agent.pk, status=AgentStatus.ONLINE)
    accounts.add_out_of_office(
        admin,
        user_id=carla.pk,
        starts_at=datetime(2026, 12, 1, tzinfo=SANTIAGO),
        ends_at=datetime(2026, 12, 12, tzinfo=SANTIAGO),
        note="Vacaciones",
    )
    # Ana already has more open tickets than Bob: language must beat load.
    customer = accounts.create_user(admin, email="pedro@otra.cl", name="Pedro")
    for n in (1, 2):
        tickets.open_ticket(
            admin,
            requester=customer,
            subject=f"Consulta {n}",
            body="Una consulta sobre la factura de noviembre.",
            group_id=soporte.pk,
            assignee_id=ana.pk,
        )
    tickets.open_ticket(
        admin,
        requester=customer,
        subject="Question",
        body="A question about the November invoice.",
        group_id=soporte.pk,
        assignee_id=bob.pk,
    )
    # The VIP mark and the shipped priority rules, switched back on (the test database
    # starts without them; see tests/conftest.py).
    config.create_custom_field(
        admin,
        target="organization",
        key="vip",
        type="checkbox",
        name_en="VIP customer",
        name_es="Cliente VIP",
    )
    shipped = Trigger.objects.filter(order__lt=0, name__startswith="Priority: ")
    for rule in shipped:
        update_trigger(admin, trigger_id=rule.pk, changes={"active": True})
    minera = accounts.create_organization(
        admin, name="Minera Andes", domains=["minera-andes.cl"], custom_fields={"vip": True}
    )
    policy = create_policy(
        admin,
        name="VIP",
        conditions=[{"field": "priority", "op": "in", "value": ["high"]}],
        calendar_id=calendar.pk,
        warning_minutes=15,
        targets=[
            {"priority": "high", "kind": "first_reply", "minutes": 60, "business_hours": True}
        ],
        escalations=[
            {
                "kind": "first_reply",
                "level": 1,
                "minutes": -15,
                "actions": [
                    {
                        "type": "notify",
                        "to": "supervisor",
                        "text": "El primer plazo de respuesta VIP vence en 15 minutos.",
                    }
                ],
            },
            {
                "kind": "first_reply",
                "level": 2,
                "minutes": 0,
                "actions": [{"type": "set_group", "value": nivel2.pk}],
            },
        ],
    )
    mailbox = create_mailbox(
        admin,
        address=SUPPORT,
        display_name="Soporte Atiende",
        inbound_method=InboundMethod.SMTP,
        group_id=soporte.pk,
        smtp_host="127.0.0.1",
        smtp_port=sink.port,
        smtp_security=Security.NONE,
    )
    return Team(
        admin=admin,
        calendar=calendar,
        soporte=soporte,
        nivel2=nivel2,
        ana=ana,
        bob=bob,
        carla=carla,
        sofia=sofia,
        minera=minera,
        policy=policy,
        mailbox=mailbox,
        keyword_rule=shipped.get(name__contains="urgent words"),
        vip_rule=shipped.get(name__contains="VIP"),
    )


def gmail_message(sent: datetime) -> bytes:
    """What Gmail hands to our MX: its trace and Google headers, a text and an HTML part."""
    msg = EmailMessage()
    msg["Received"] = (
        "by mail-sor-f41.google.com with SMTPS id a640c23a62f3a-6a1b2c3d4e5f;"
        f" {format_datetime(sent)}"
    )
    msg["X-Google-Smtp-Source"] = "AGHT+IE4n2Vq0cW1xM3yZ8kq7pR5sT9uV2wX4yZ6aB8cD0eF2gH4iJ6k"
    msg["X-Received"] = f"by 2002:a17:907:9815:b0:6a1:2b3:c4d5 with SMTP id; {sent:%a, %d %b %Y}"
    msg["MIME-Version"] = "1.0"
    msg["From"] = f"Lucía Fernández <{LUCIA}>"
    msg["Date"] = format_datetime(sent)
    msg["Message-ID"] = "<CAKx8sQ=urgente.caido.7f3a@mail.gmail.com>"
    msg["Subject"] = "urgente: el sistema está caído"
    msg["To"] = f"Soporte <{SUPPORT}>"
    msg["Content-Language"] = "es-CL"
    text = (
        "Hola,\n\n"
        "el sistema está caído desde las 18:40 y no podemos despachar los camiones de la "
        "faena. Ningún usuario puede entrar; aparece un error 502 en la página de inicio.\n\n"
        "¿Pueden revisarlo con urgencia?\n\n"
        "Saludos,\nLucía Fernández\nJefa de Operaciones · Minera Andes\n"
    )
    msg.set_content(text, charset="utf-8")
    html = "".join(
        f'<div dir="ltr">{line or "<br>"}</div>' for line in text.rstrip("\n").split("\n")
    )
    msg.add_alternative(html, subtype="html", charset="utf-8")
    return msg.as_bytes()


def gmail_vacation_reply(sent: datetime, ours: Received) -> bytes:
    """Gmail's vacation responder answering our mail: ``Auto-Submitted: auto-replied``."""
    original = message_from_bytes(ours.raw, policy=policy.default)
    msg = EmailMessage()
    msg["Received"] = f"by mail-sor-f41.google.com with SMTPS id vac; {format_datetime(sent)}"
    msg["MIME-Version"] = "1.0"
    msg["From"] = f"Lucía Fernández <{LUCIA}>"
    msg["Date"] = format_datetime(sent)
    msg["Message-ID"] = "<CAKx8sQ=vacaciones.2b1c@mail.gmail.com>"
    msg["Subject"] = f"Respuesta automática: {original['Subject']}"
    msg["To"] = f"Soporte <{SUPPORT}>"
    msg["In-Reply-To"] = str(original["Message-ID"])
    msg["References"] = str(original["Message-ID"])
    msg["Auto-Submitted"] = "auto-replied"
    msg["Precedence"] = "bulk"
    msg.set_content(
        "Estoy fuera de la oficina hasta el lunes. Para urgencias: +56 2 2345 6789.\n",
        charset="utf-8",
    )
    return msg.as_bytes()


def receive(raw: bytes, mailbox: Mailbox) -> Ticket:
    """As the SMTP transport does: store the bytes, then process the stored row."""
    from atiende.messaging.inbound.pipeline import process
    from atiende.messaging.inbound.store import store_raw

    row, _created = store_raw(raw, mailbox=mailbox, source="smtp", recipient=SUPPORT)
    processed = process(row.pk)
    assert processed.ticket is not None, processed.state
    return processed.ticket


class Worker:
    """The scheduler's minute tasks, run the way ``atiende worker`` runs what ``atiende
    scheduler`` enqueues; each task's commit lets its effects (outbox) go out."""

    def __init__(self, on_commit: Callable[..., Any]) -> None:
        self.on_commit = on_commit

    def minute(self) -> None:
        for scheduled in (
            sweep_sla_timers,
            hand_over_out_of_office,
            drain_backlogs,
            run_timed_rules,
            deliver_due_effects,
            send_due_outbound,
        ):
            with self.on_commit():
                scheduled.call()


def history(ticket: Ticket, team: Team) -> list[TicketEvent]:
    return list(ticket_selectors.ticket_events(team.admin, ticket.pk))


def mail_to(sink: SmtpSink, address: str) -> list[Received]:
    return [item for item in sink.received if address in item.rcpt_tos]


class Clock:
    """The test's clock. Moving it also empties the shared cache, as the minutes passing
    would: Redis expires its keys (the once-a-minute "agent seen" throttle, say) by its own
    clock, which time_machine cannot move; the local-memory cache follows the test clock."""

    def __init__(self, traveller: time_machine.Traveller) -> None:
        self.traveller = traveller

    def move_to(self, at: datetime) -> None:
        self.traveller.move_to(at)
        cache.clear()


@pytest.fixture
def clock() -> Iterator[Clock]:
    with time_machine.travel(SETUP, tick=False) as traveller:
        yield Clock(traveller)


def test_a_vip_outage_on_friday_evening(
    smtp_sink: SmtpSink, on_commit: Callable[..., Any], clock: Clock
) -> None:
    team = set_up_team(smtp_sink)
    worker = Worker(on_commit)
    # The premise: Bob carries less than Ana, so only language can send the ticket to Ana.
    assert (agent_load(team.ana.pk), agent_load(team.bob.pk), agent_load(team.carla.pk)) == (
        2,
        1,
        0,
    )

    # Friday 19:00 in Santiago (22:00 UTC): Lucía writes from Gmail.
    clock.move_to(FRIDAY_EVENING)
    with on_commit():
        ticket = receive(gmail_message(FRIDAY_EVENING), team.mailbox)
    worker.minute()
    ticket.refresh_from_db()

    # The ticket: Spanish, Minera Andes, in Soporte, high priority by the shipped rules.
    assert ticket.language == "es"
    assert ticket.requester.email == LUCIA
    assert ticket.organization_id == team.minera.pk
    assert ticket.group_id == team.soporte.pk
    assert ticket.priority.key == "high"
    [raised] = [e for e in history(ticket, team) if e.field == "priority"]
    assert raised.new_value["key"] == "high" and raised.old_value["key"] == "normal"
    # "urgente" and "caído" raised it; the VIP rule then found nothing to raise.
    assert (raised.source, raised.source_detail) == ("rule", f"rule:{team.keyword_rule.pk}")
    assert raised.created_at == FRIDAY_EVENING

    # The out-of-hours answer in Spanish, with the next opening, reached Lucía's server.
    [answer] = mail_to(smtp_sink, LUCIA)
    message = message_from_bytes(answer.raw, policy=policy.default)
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["In-Reply-To"] == "<CAKx8sQ=urgente.caido.7f3a@mail.gmail.com>"
    body = message.get_body(("plain",)).get_content()
    assert "fuera de nuestro horario de atención" in body
    assert "a partir del lunes 7 de diciembre a las 09:00." in body
    assert OutboundEmail.objects.filter(to=[LUCIA]).count() == 1

    # Saturday: Lucía's Gmail answers our answer by itself (she is away for the weekend).
    # Automatic mail joins the ticket as a note and gets nothing back: no mail loop.
    saturday = datetime(2026, 12, 5, 10, 0, tzinfo=SANTIAGO)
    status_before = ticket.status_id
    clock.move_to(saturday)
    with on_commit():
        receive(gmail_vacation_reply(saturday, answer), team.mailbox)
    worker.minute()
    assert len(mail_to(smtp_sink, LUCIA)) == 1
    assert OutboundEmail.objects.filter(to=[LUCIA]).count() == 1
    ticket.refresh_from_db()
    assert ticket.status_id == status_before and ticket.assignee_id is None
    [note] = [m for m in ticket_selectors.visible_messages(team.admin, ticket) if not m.public]
    assert "fuera de la oficina" in note.body_text

    # First reply due Monday 10:00: 60 business minutes from Monday's opening, by "VIP".
    assert ticket.first_response_due_at == DUE_AT
    timers = [
        (t.kind, t.policy_name, t.due_at, t.state) for t in sla_selectors.ticket_timers(ticket.pk)
    ]
    assert timers == [("first_reply", "VIP", DUE_AT, "running")]
    assert ticket.assignee_id is None

    # The weekend: the minute tasks run every hour (and Ana and Bob even leave the workspace
    # open and are seen); the office is closed, so nobody is assigned and no clock runs out.
    at = FRIDAY_EVENING + timedelta(minutes=1)
    while at < MONDAY_OPENING - timedelta(minutes=5):
        clock.move_to(at)
        for agent in (team.ana, team.bob):
            accounts.note_seen(agent.pk)
        worker.minute()
        ticket.refresh_from_db()
        assert ticket.assignee_id is None, f"assigned at {at.astimezone(SANTIAGO)}"
        at += timedelta(hours=1)
    assert not [e for e in history(ticket, team) if e.action.startswith("sla_")]
    assert not notifications.latest(Actor(user=team.sofia, source=Source.WEB))

    # Monday 08:55: Ana and Bob open the workspace; Soporte opens at 09:00.
    clock.move_to(MONDAY_OPENING - timedelta(minutes=5))
    for agent in (team.ana, team.bob):
        with on_commit():
            accounts.note_seen(agent.pk)
    worker.minute()
    ticket.refresh_from_db()
    assert ticket.assignee_id is None

    # Monday 09:00: assigned to Ana — the only available Spanish speaker (Bob has fewer open
    # tickets but speaks only English; Carla is out of office), by Soporte's least load.
    clock.move_to(MONDAY_OPENING)
    worker.minute()
    ticket.refresh_from_db()
    assert ticket.assignee_id == team.ana.pk
    assigned = [e for e in history(ticket, team) if e.field == "assignee"]
    assert [(e.source, e.source_detail) for e in assigned] == [
        ("rule", f"assignment:{team.soporte.pk}")
    ]
    assert assigned[0].created_at == MONDAY_OPENING
    with translation.override("es"):  # Ana's bell, in Spanish
        [told] = [
            item
            for item in notifications.latest(Actor(user=team.ana, source=Source.WEB))
            if item.ticket_id == ticket.pk
        ]
    assert (told.kind, told.text) == ("assigned", f"Se le asignó el #{ticket.number}")
    assert ticket.first_response_due_at == DUE_AT  # business time, not Saturday

    # 09:44: nothing yet. 09:45: the warning, and Sofía is notified in the workspace.
    clock.move_to(WARNING_AT - timedelta(minutes=1))
    worker.minute()
    assert not notifications.latest(Actor(user=team.sofia, source=Source.WEB))
    clock.move_to(WARNING_AT)
    worker.minute()
    [warned] = [e for e in history(ticket, team) if e.action == "sla_warning"]
    assert (warned.source, warned.source_detail) == ("rule", f"sla:{team.policy.pk}")
    assert warned.created_at == WARNING_AT
    [bell] = notifications.latest(Actor(user=team.sofia, source=Source.WEB))
    assert bell.ticket_id == ticket.pk
    assert bell.text == (f"#{ticket.number}: El primer plazo de respuesta VIP vence en 15 minutos.")
    for agent in (team.ana, team.bob, team.carla):  # the warning is for the supervisor
        bells = notifications.latest(Actor(user=agent, source=Source.WEB))
        assert all(item.kind != "rule" for item in bells)

    # 10:00, no reply: breached, and the breach level moves the ticket to Soporte Nivel 2.
    clock.move_to(DUE_AT)
    worker.minute()
    ticket.refresh_from_db()
    [breached] = [e for e in history(ticket, team) if e.action == "sla_breached"]
    assert (breached.source, breached.source_detail) == ("rule", f"sla:{team.policy.pk}")
    assert ticket.group_id == team.nivel2.pk
    moved = [e for e in history(ticket, team) if e.field == "group"]
    assert [(e.source, e.source_detail, e.created_at) for e in moved] == [
        ("rule", f"sla:{team.policy.pk}", DUE_AT)
    ]

    [timer] = sla_selectors.ticket_timers(ticket.pk)
    assert (timer.kind, timer.state, timer.breached) == ("first_reply", "running", True)

    # Tier 1's agent does not follow the ticket into tier 2 (not a member there); tier 2
    # assigns by hand. Its history, step by step, names the rule or the policy of each one.
    assert ticket.assignee_id is None
    by_policy = f"sla:{team.policy.pk}"
    steps = [
        (e.action, e.field, e.source, e.source_detail, e.created_at.astimezone(SANTIAGO))
        for e in history(ticket, team)
        if e.source == "rule"
    ]
    assert steps == [
        ("updated", "priority", "rule", f"rule:{team.keyword_rule.pk}", FRIDAY_EVENING),
        ("updated", "assignee", "rule", f"assignment:{team.soporte.pk}", MONDAY_OPENING),
        ("sla_warning", "first_reply", "rule", by_policy, WARNING_AT),
        ("sla_escalated", "first_reply", "rule", by_policy, WARNING_AT),
        ("sla_breached", "first_reply", "rule", by_policy, DUE_AT),
        ("sla_escalated", "first_reply", "rule", by_policy, DUE_AT),
        ("updated", "group", "rule", by_policy, DUE_AT),
        ("updated", "assignee", "rule", by_policy, DUE_AT),
    ]
    levels = [e.new_value for e in history(ticket, team) if e.action == "sla_escalated"]
    assert [(v["policy"]["name"], v["level"]) for v in levels] == [("VIP", 1), ("VIP", 2)]
    # Lucía got exactly one mail from us: the out-of-hours answer.
    assert len(mail_to(smtp_sink, LUCIA)) == 1


def test_a_calm_question_from_the_vip_organization_is_high_by_the_vip_rule(
    smtp_sink: SmtpSink, on_commit: Callable[..., Any], clock: Clock
) -> None:
    """No urgent words: the shipped VIP rule alone raises it, and the history names it."""
    team = set_up_team(smtp_sink)
    calm = EmailMessage()
    calm["From"] = f"Lucía Fernández <{LUCIA}>"
    calm["To"] = f"Soporte <{SUPPORT}>"
    calm["Subject"] = "Consulta sobre la factura de noviembre"
    calm["Date"] = format_datetime(SETUP)
    calm["Message-ID"] = "<CAKx8sQ=factura.91ab@mail.gmail.com>"
    calm.set_content("Hola, ¿podrían enviarnos de nuevo la factura de noviembre? Gracias.\n")
    with on_commit():
        ticket = receive(calm.as_bytes(), team.mailbox)
    ticket.refresh_from_db()
    assert ticket.language == "es" and ticket.priority.key == "high"
    [raised] = [e for e in history(ticket, team) if e.field == "priority"]
    assert (raised.source, raised.source_detail) == ("rule", f"rule:{team.vip_rule.pk}")


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[SmtpReceiver]:
    """Our own SMTP receiver (``mail_smtpd``) on loopback, as the email tests run it."""
    certs = TestCertificates.create(tmp_path / "tls")
    monkeypatch.setenv("ATIENDE_SMTPD_TLS_CERT", str(certs.cert_file))
    monkeypatch.setenv("ATIENDE_SMTPD_TLS_KEY", str(certs.key_file))
    running = SmtpReceiver().start()
    try:
        yield running
    finally:
        running.stop()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the receiver's thread
def test_the_outage_mail_arrives_over_smtp_and_the_worker_answers(
    smtp_sink: SmtpSink, receiver: SmtpReceiver, on_commit: Callable[..., Any], clock: Clock
) -> None:
    """The same Friday evening through the most real path: Gmail's server talks SMTP to our
    receiver, which commits the mail and queues its processing; the worker runs the queue."""
    team = set_up_team(smtp_sink)
    clock.move_to(FRIDAY_EVENING)
    raw = gmail_message(FRIDAY_EVENING).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    with receiver.client() as client:
        assert client.sendmail(LUCIA, [SUPPORT], raw) == {}
    queued = DBTaskResult.objects.filter(task_path__endswith="process_inbound")
    [args] = [row.args_kwargs["args"] for row in queued]
    assert process_inbound.call(*args) == "processed"
    Worker(on_commit).minute()

    [ticket] = ticket_selectors.visible_tickets(team.admin).filter(requester__email=LUCIA)
    assert (ticket.language, ticket.priority.key, ticket.group_id) == (
        "es",
        "high",
        team.soporte.pk,
    )
    assert ticket.assignee_id is None and ticket.first_response_due_at == DUE_AT
    [answer] = mail_to(smtp_sink, LUCIA)
    body = message_from_bytes(answer.raw, policy=policy.default).get_body(("plain",))
    assert "a partir del lunes 7 de diciembre a las 09:00." in body.get_content()

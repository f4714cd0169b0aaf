"""The benchmark's data: a fresh database holding a realistic helpdesk of N tickets.

The mix: 10 groups of unequal size, 30 agents in 1-3 groups each, 300 organizations,
5,000 customers (with their email identities), 40 tags, 8 categories; tickets spread over the
past year with statuses, priorities, channels and types in proportions seen in helpdesks,
3 messages each (the customer's message, an agent's reply, then a customer reply or an
internal note), a "created" audit event, 0-3 tags, the search index.

Subjects and bodies mix English and Spanish words with a Zipf-like frequency, plus planted
words whose share of tickets is known (``PLANTED``) so text queries can be chosen broad or rare.

**A benchmark fixture, not the write path.** Rows are written with ``bulk_create`` (about 50x
faster than ``tickets.services.open_ticket``), with ``auto_now``/``auto_now_add`` switched off
on the timestamp fields during the load so that created/updated times spread over a year (the
same rows as bulk_create followed by an UPDATE of the timestamps, in one pass). Everything the
app reads is filled: unique ticket numbers with the numbering counter (SQLite) or sequence
(PostgreSQL) advanced past them, tags, timestamps, HTML bodies, identities, audit events and
the search index through ``atiende.search.tickets.index_tickets``.
"""

from __future__ import annotations

import contextlib
import datetime
import itertools
import random
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from common import PG_DATABASE, PG_SERVER, data_dir

FIRST_NUMBER = 1001
BATCH = 2_000
CUSTOMERS = 5_000
ORGANIZATIONS = 300
AGENTS = 30
TAGS = 40
ADMIN_EMAIL = "bench-admin@example.com"
AGENT_EMAIL = "bench-agent@example.com"  # restricted to AGENT_GROUPS
CUSTOMER_DOMAIN = "customers.bench.example"
NEW_CUSTOMER_DOMAIN = "new.bench.example"  # customers created by the create benchmark

GROUPS = [
    # name, share of grouped tickets
    ("Soporte técnico", 0.22),
    ("Billing", 0.16),
    ("Cuentas y accesos", 0.13),
    ("Hardware", 0.11),
    ("Redes", 0.09),
    ("Sales", 0.08),
    ("Logística", 0.07),
    ("Returns", 0.06),
    ("Seguridad", 0.05),
    ("Onboarding", 0.03),
]
# The restricted agent's groups: mid-sized ones (about 27% of the grouped tickets).
AGENT_GROUPS = ("Hardware", "Redes", "Logística")
UNGROUPED_SHARE = 0.08  # the triage queue, visible to every agent

STATUSES = {
    "new": 0.08,
    "open": 0.22,
    "in_progress": 0.08,
    "pending": 0.10,
    "on_hold": 0.03,
    "delayed": 0.02,
    "solved": 0.22,
    "closed": 0.22,
    "cancelled": 0.03,
}
PRIORITIES = {"low": 0.25, "normal": 0.50, "high": 0.18, "urgent": 0.07}
CHANNELS = {
    "email": 0.50,
    "web": 0.15,
    "portal": 0.10,
    "chat": 0.08,
    "phone": 0.06,
    "whatsapp": 0.05,
    "api": 0.04,
    "alert": 0.02,
}
TYPES = {"question": 0.55, "incident": 0.30, "problem": 0.08, "task": 0.07}
CATEGORIES = [
    ("Hardware", "Hardware"),
    ("Software", "Software"),
    ("Network", "Red"),
    ("Billing", "Facturación"),
    ("Account", "Cuenta"),
    ("Shipping", "Envíos"),
    ("Security", "Seguridad"),
    ("Other", "Otros"),
]


def _words(text: str) -> list[str]:
    return text.split()


# Planted words and the share of tickets that contain them (in the subject or first message).
PLANTED = {
    "printer": 0.30,  # the broad word
    "password": 0.10,
    "factura": 0.05,
    "zeppelin": 0.0005,  # the rare word: about 50 tickets in 100k
}
BROAD_QUERY = "printer"
RARE_QUERY = "zeppelin"
TWO_WORD_QUERY = "printer password"  # about 3% of tickets: both words, either order

ENGLISH = _words(
    """
the a to and of i is it for you in my on we this that with not have be can please our
your are was from but at no help issue problem error when after since today yesterday
again still account login email order payment card refund delivery shipping update
install server network connection slow screen laptop phone app website page link file
attachment report access user customer team support request ticket question thanks
hello regards urgent broken working cannot unable need want new old change cancel
subscription plan upgrade price charge charged twice receipt address number code
message notification settings browser windows mac android iphone office meeting week
month morning afternoon time data backup restore sync sent received missing wrong
correct reset locked blocked expired renew license contract quote warehouse package
tracking damaged return exchange replace warranty repair device battery cable monitor
keyboard mouse wifi vpn firewall outage down timeout crash freeze install download
"""
)
SPANISH = _words(
    """
el la de que y en a los se del las un por con no una su para es al lo como más pero
sus le ya o este sí porque esta entre cuando muy sin sobre también me hasta hay donde
hola gracias saludos buenos días tardes favor ayuda problema error cuenta correo
pedido pago tarjeta reembolso envío entrega actualización instalar servidor red
conexión lenta pantalla portátil teléfono aplicación página enlace archivo adjunto
informe acceso usuario cliente equipo soporte solicitud consulta urgente roto funciona
puedo necesito quiero nuevo cambiar cancelar suscripción plan precio cobro cobrado dos
veces recibo dirección número código mensaje aviso configuración navegador oficina
reunión semana mes mañana tiempo datos copia restaurar enviado recibido falta
incorrecto bloqueado caducado renovar licencia contrato presupuesto almacén paquete
seguimiento dañado devolución cambio garantía reparación dispositivo batería cable
monitor teclado ratón caída lento sincronizar descarga
"""
)
FIRST_NAMES = _words(
    """Ana Luis María Carlos Lucía Javier Sofía Pablo Elena Diego Laura Miguel
Carmen Jorge Paula John Mary James Linda Robert Susan David Karen Peter Emma Oliver Olivia
Noah Ava Liam Mia"""
)
LAST_NAMES = _words(
    """García Martínez López Sánchez Pérez Gómez Martín Jiménez Ruiz Hernández
Díaz Moreno Álvarez Romero Smith Johnson Brown Taylor Wilson Davies Evans Thomas Roberts
Walker Wright Thompson White Hughes"""
)


@dataclass
class Loaded:
    tickets: int
    messages: int
    rows_seconds: float
    index_seconds: float

    @property
    def seconds(self) -> float:
        return self.rows_seconds + self.index_seconds


class Words:
    """Draws Zipf-distributed words: a few hundred real ones, then a long tail of rare ones."""

    def __init__(self, rng: random.Random, language: str) -> None:
        real = ENGLISH if language == "en" else SPANISH
        syllables = ["ca", "lo", "ra", "me", "ti", "su", "no", "pe", "da", "vi", "ko", "ze"]
        tail = {
            "".join(rng.choices(syllables, k=rng.randint(2, 4))) + rng.choice("nrsltx")
            for _ in range(15_000)
        }
        self.vocab = [*real, *sorted(tail - set(PLANTED))]
        self.cum_weights = list(
            itertools.accumulate(1.0 / (rank + 8) for rank in range(len(self.vocab)))
        )
        self.rng = rng

    def draw(self, count: int) -> list[str]:
        return self.rng.choices(self.vocab, cum_weights=self.cum_weights, k=count)


def pick(rng: random.Random, shares: dict[str, float]) -> str:
    return rng.choices(list(shares), weights=list(shares.values()))[0]


# --- database lifecycle ------------------------------------------------------------------


def recreate_database(db: str) -> None:
    """Drop the bench database and start from nothing (before Django connects)."""
    if db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    else:
        shutil.rmtree(data_dir(db), ignore_errors=True)
    data_dir(db).mkdir(parents=True, exist_ok=True)


def ensure_database(db: str) -> None:
    """Create the bench database if it does not exist yet (PostgreSQL)."""
    data_dir(db).mkdir(parents=True, exist_ok=True)
    if db != "postgres":
        return
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [PG_DATABASE]
        ).fetchone()
        if not found:
            conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')


def is_loaded(tickets: int) -> bool:
    """Whether the database already holds exactly this fixture (after trimming bench creates)."""
    from django.db.models import Max

    from atiende.accounts.models import User
    from atiende.tickets.models import Ticket

    if not User.objects.filter(email=ADMIN_EMAIL).exists():
        return False
    trim_created(tickets)
    stats = Ticket.objects.aggregate(n=Max("number"))
    return Ticket.objects.count() == tickets and stats["n"] == FIRST_NUMBER + tickets - 1


def trim_created(tickets: int) -> int:
    """Delete what earlier runs added: tickets past the fixture, new customers, API tokens."""
    from django.db import transaction

    from atiende.accounts.models import ApiToken, User
    from atiende.search.tickets import index_tickets
    from atiende.tickets.models import Ticket

    extra = list(
        Ticket.objects.filter(number__gte=FIRST_NUMBER + tickets).values_list("pk", flat=True)
    )
    for batch in itertools.batched(extra, 1_000):
        with transaction.atomic():
            Ticket.objects.filter(pk__in=batch).delete()
        index_tickets(batch)  # drops the documents of deleted tickets
    from atiende.tickets.tally import rebuild

    rebuild()  # QuerySet.delete() bypassed services.delete_ticket, which moves the tallies
    User.objects.filter(email__endswith="@" + NEW_CUSTOMER_DOMAIN).delete()
    ApiToken.objects.filter(name__startswith="bench ").delete()
    if extra:
        _settle_after_writes()
    return len(extra)


def _settle_after_writes() -> None:
    """What a live database's housekeeping does after a burst of writes and deletes:
    PostgreSQL's autovacuum (dead rows, visibility map, statistics), SQLite's ANALYZE."""
    from django.db import connection

    from atiende.core.tasks import refresh_planner_statistics

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    refresh_planner_statistics.call()


@contextlib.contextmanager
def timestamps_as_given() -> Iterator[None]:
    """Let bulk_create keep the timestamps we set (auto_now/auto_now_add off meanwhile)."""
    from atiende.tickets.models import Message, Ticket, TicketEvent

    fields = [
        Ticket._meta.get_field("created_at"),
        Ticket._meta.get_field("updated_at"),
        Message._meta.get_field("created_at"),
        TicketEvent._meta.get_field("created_at"),
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]  # type: ignore[union-attr]
    try:
        for f in fields:
            f.auto_now = f.auto_now_add = False  # type: ignore[union-attr]
        yield
    finally:
        for f, now, now_add in saved:
            f.auto_now, f.auto_now_add = now, now_add  # type: ignore[union-attr]


# --- loading -------------------------------------------------------------------------------


def load(tickets: int, *, seed: int = 20_260_501) -> Loaded:
    """Fill a freshly migrated, empty database with the fixture; return how long it took."""
    from django.db import connection

    rng = random.Random(seed)
    began = time.perf_counter()
    people = _load_people(rng)
    messages = _load_tickets(rng, tickets, people)
    _advance_numbering(FIRST_NUMBER + tickets - 1)
    rows_seconds = time.perf_counter() - began
    print(
        f"  rows: {tickets:,} tickets, {messages:,} messages in {rows_seconds:.1f} s "
        f"({tickets / rows_seconds:,.0f} tickets/s)",
        flush=True,
    )
    from atiende.tickets.tally import rebuild

    rebuild()  # bulk_create bypassed the services, which move the inbox counts' rollup
    began = time.perf_counter()
    _index_all()
    index_seconds = time.perf_counter() - began
    print(
        f"  search index: {tickets:,} tickets in {index_seconds:.1f} s "
        f"({tickets / index_seconds:,.0f} tickets/s)",
        flush=True,
    )
    began = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # What autovacuum would have done on a live database after this many inserts.
            cursor.execute("VACUUM ANALYZE")
    from atiende.core.tasks import refresh_planner_statistics

    refresh_planner_statistics.call()  # SQLite: what `atiende run` does when it starts
    print(f"  vacuum/analyze: {time.perf_counter() - began:.1f} s", flush=True)
    return Loaded(tickets, messages, rows_seconds, index_seconds)


@dataclass
class People:
    groups: list[Any]
    group_weights: list[float]
    members: dict[int, list[int]]  # group id -> agent ids
    agent_ids: list[int]
    customers: list[tuple[int, int | None]]  # (user id, organization id)
    tag_ids: list[int]
    category_ids: list[int]
    statuses: dict[str, int]
    priorities: dict[str, int]


def _load_people(rng: random.Random) -> People:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from atiende.accounts.models import Group, Identity, Organization, Role, User
    from atiende.tickets.models import Category, Priority, Status, Tag

    unusable = make_password(None)

    def person(email: str, role: str, organization: Any = None, index: int = 0) -> User:
        name = (
            f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {LAST_NAMES[(index // 7) % len(LAST_NAMES)]}"
        )
        return User(
            email=email,
            name=name,
            role=role,
            password=unusable,
            organization=organization,
            locale="es" if index % 2 else "en",
        )

    with transaction.atomic():
        groups = Group.objects.bulk_create(Group(name=name) for name, _ in GROUPS)
        organizations = Organization.objects.bulk_create(
            Organization(name=f"Organización {i:03d} S.L." if i % 2 else f"Company {i:03d} Ltd")
            for i in range(ORGANIZATIONS)
        )
        staff = User.objects.bulk_create(
            [
                person(ADMIN_EMAIL, Role.ADMIN),
                person(AGENT_EMAIL, Role.AGENT, index=1),
                *(
                    person(f"agent{i:02d}@bench.example", Role.AGENT, index=i)
                    for i in range(AGENTS)
                ),
            ]
        )
        agent, agents = staff[1], staff[2:]
        customers = User.objects.bulk_create(
            person(
                f"customer{i:05d}@{CUSTOMER_DOMAIN}",
                Role.CUSTOMER,
                rng.choice(organizations) if rng.random() < 0.6 else None,
                index=i,
            )
            for i in range(CUSTOMERS)
        )
        Identity.objects.bulk_create(
            Identity(user=user, channel="email", value=user.email) for user in staff + customers
        )
        memberships = []
        members: dict[int, list[int]] = {g.pk: [] for g in groups}
        by_name = {g.name: g for g in groups}
        for a in agents:
            for g in rng.sample(groups, rng.randint(1, 3)):
                memberships.append(User.groups.through(user_id=a.pk, group_id=g.pk))
                members[g.pk].append(a.pk)
        for name in AGENT_GROUPS:
            memberships.append(User.groups.through(user_id=agent.pk, group_id=by_name[name].pk))
            members[by_name[name].pk].append(agent.pk)
        for g in groups:  # every group has someone to assign to
            if not members[g.pk]:
                memberships.append(User.groups.through(user_id=agents[0].pk, group_id=g.pk))
                members[g.pk].append(agents[0].pk)
        User.groups.through.objects.bulk_create(memberships)
        tags = Tag.objects.bulk_create(
            Tag(name=word) for word in [*ENGLISH[-30:-10], *SPANISH[-30:-10]][:TAGS]
        )
        categories = Category.objects.bulk_create(
            Category(name_en=en, name_es=es) for en, es in CATEGORIES
        )
    return People(
        groups=groups,
        group_weights=[share for _, share in GROUPS],
        members=members,
        agent_ids=[a.pk for a in agents] + [agent.pk],
        customers=[(c.pk, c.organization_id) for c in customers],
        tag_ids=[t.pk for t in tags],
        category_ids=[c.pk for c in categories],
        statuses=dict(Status.objects.values_list("key", "pk")),
        priorities=dict(Priority.objects.values_list("key", "pk")),
    )


def _load_tickets(rng: random.Random, count: int, people: People) -> int:
    from django.db import transaction
    from django.utils import timezone

    from atiende.core.html import text_to_html
    from atiende.tickets.models import Message, Ticket, TicketEvent

    english, spanish = Words(rng, "en"), Words(rng, "es")
    now = timezone.now().replace(microsecond=0)
    year = 365 * 24 * 3600
    # Tickets arrive in number order, so ids, numbers and creation times rise together.
    offsets = sorted(rng.uniform(3600, year) for _ in range(count))
    tag_link = Ticket.tags.through
    messages_written = 0

    def text(words: Words, n: int, planted: list[str]) -> str:
        chosen = words.draw(n)
        for word in planted:
            chosen.insert(rng.randrange(len(chosen) + 1), word)
        return " ".join(chosen)

    with timestamps_as_given():
        for first in range(0, count, BATCH):
            rows, threads, tag_rows, events = [], [], [], []
            for i in range(first, min(first + BATCH, count)):
                created = now - datetime.timedelta(seconds=year - offsets[i] + 3600)
                words = english if rng.random() < 0.5 else spanish
                planted = [w for w, share in PLANTED.items() if rng.random() < share]
                in_subject = [w for w in planted if rng.random() < 0.3]
                in_body = [w for w in planted if w not in in_subject]
                status = pick(rng, STATUSES)
                grouped = rng.random() >= UNGROUPED_SHARE
                group = (
                    rng.choices(people.groups, weights=people.group_weights)[0] if grouped else None
                )
                assignee = (
                    rng.choice(people.members[group.pk])
                    if group is not None and status != "new" and rng.random() < 0.85
                    else None
                )
                replier = assignee or rng.choice(people.agent_ids)
                requester, organization = rng.choice(people.customers)
                t1 = created
                t2 = t1 + datetime.timedelta(minutes=rng.expovariate(1 / 240))
                t3 = t2 + datetime.timedelta(minutes=rng.expovariate(1 / 1440))
                t3 = min(t3, now)
                t2 = min(t2, t3)
                done = status in ("solved", "closed")
                ticket = Ticket(
                    number=FIRST_NUMBER + i,
                    subject=text(words, rng.randint(3, 8), in_subject).capitalize()[:255],
                    requester_id=requester,
                    organization_id=organization,
                    group=group,
                    assignee_id=assignee,
                    status_id=people.statuses[status],
                    priority_id=people.priorities[pick(rng, PRIORITIES)],
                    type=pick(rng, TYPES),
                    channel=pick(rng, CHANNELS),
                    category_id=(rng.choice(people.category_ids) if rng.random() < 0.6 else None),
                    first_response_at=t2 if status != "new" else None,
                    solved_at=t3 if done else None,
                    closed_at=t3 if status == "closed" else None,
                    resolution="Resuelto / resolved." if done else "",
                    last_message_at=t3,
                    created_at=created,
                    updated_at=t3,
                )
                note = rng.random() < 0.4
                bodies = [
                    (t1, requester, True, "in", text(words, rng.randint(20, 90), in_body)),
                    (t2, replier, True, "out", text(words, rng.randint(15, 60), [])),
                    (
                        t3,
                        replier if note else requester,
                        not note,
                        "out" if note else "in",
                        text(words, rng.randint(10, 50), []),
                    ),
                ]
                rows.append(ticket)
                threads.append((ticket, bodies))
            with transaction.atomic():
                Ticket.objects.bulk_create(rows)
                messages = []
                for ticket, bodies in threads:
                    for at, author, public, direction, body in bodies:
                        messages.append(
                            Message(
                                ticket=ticket,
                                author_id=author,
                                public=public,
                                direction=direction,
                                channel=ticket.channel if public else "web",
                                body_text=body,
                                body_html=text_to_html(body),
                                created_at=at,
                            )
                        )
                    for tag in rng.sample(people.tag_ids, rng.choice((0, 0, 1, 1, 2, 3))):
                        tag_rows.append(tag_link(ticket_id=ticket.pk, tag_id=tag))
                    events.append(
                        TicketEvent(
                            ticket=ticket,
                            actor_id=ticket.requester_id,
                            source="channel",
                            source_detail=ticket.channel,
                            action="created",
                            new_value={"number": ticket.number},
                            created_at=ticket.created_at,
                        )
                    )
                Message.objects.bulk_create(messages)
                tag_link.objects.bulk_create(tag_rows)
                TicketEvent.objects.bulk_create(events)
            messages_written += len(messages)
            done_now = min(first + BATCH, count)
            if done_now % 20_000 == 0 or done_now == count:
                print(f"    {done_now:,} tickets written", flush=True)
    return messages_written


def _advance_numbering(last: int) -> None:
    """The next ticket opened through the app must get a number after the fixture's."""
    from django.db import connection

    from atiende.tickets.store import SEQUENCE

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(%s, %s)", [SEQUENCE, last])
        else:
            cursor.execute("UPDATE tickets_ticketnumber SET last = %s WHERE id = 1", [last])


def _index_all() -> None:
    from django.db import connection

    from atiende.search.backends import ticket_index
    from atiende.search.tickets import index_tickets
    from atiende.tickets.models import Ticket

    ids = list(Ticket.objects.order_by("pk").values_list("pk", flat=True))
    index_tickets(ids)
    with connection.cursor() as cursor:  # as `reindex_search` finishes a bulk rebuild
        ticket_index(connection.vendor).optimize(cursor)

"""Demo data: a believable bilingual helpdesk, written through the services like real traffic.

``load_demo()`` creates 3 groups, 8 staff (one administrator), 2 organizations, 50 customers
and 300 tickets with their conversations, then backdates the timestamps over the last months
so that queues, ages and reports look real. The same seed gives the same data. ``customers``
and ``tickets`` size it (tests load a small one; ``atiende demo`` the full one).

It is only ever loaded into a brand-new helpdesk (no user at all), and its staff share a
password generated for this installation, returned once in the summary: a demo left running
on a public address must not open with a password everyone knows.
"""

from __future__ import annotations

import random
import secrets
import time
import unicodedata
from dataclasses import dataclass

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.utils import timezone

from atiende.accounts import services as accounts
from atiende.accounts.models import Group, IdentityChannel, Organization, Role, User
from atiende.core.actor import Actor
from atiende.tickets import demo_data as data
from atiende.tickets.demo_tickets import TicketWriter
from atiende.tickets.models import Category, Message, Ticket

SYSTEM = Actor.system("demo")
CUSTOMERS = 50
TICKETS = 300


@dataclass(frozen=True)
class DemoSummary:
    groups: int
    agents: int
    organizations: int
    customers: int
    tickets: int
    messages: int
    links: int
    merges: int
    seconds: float
    password: str  # the demo staff's, generated for this load; shown once


@dataclass(frozen=True)
class Login:
    email: str
    name: str
    role: str


def demo_logins() -> list[Login]:
    """The demo staff who can sign in (with the password shown when it was loaded)."""
    emails = [agent.email for agent in data.AGENTS]
    users = User.objects.filter(email__in=emails, is_active=True).order_by("role", "email")
    return [Login(str(u.email), u.display_name, u.get_role_display()) for u in users]


def has_data() -> bool:
    """True when the helpdesk is not brand new: any user or ticket. The demo never mixes in."""
    return User.objects.exists() or Ticket.objects.exists()


MIN_CUSTOMERS = 2
MIN_TICKETS = 2


def load_demo(
    *, seed: int = 20240611, customers: int = CUSTOMERS, tickets: int = TICKETS
) -> DemoSummary | None:
    """Load the demo into a brand-new helpdesk; ``None`` (and no change) when any data exists."""
    if customers < MIN_CUSTOMERS or tickets < MIN_TICKETS:
        raise ValueError(
            f"the demo needs at least {MIN_CUSTOMERS} customers and {MIN_TICKETS} tickets"
        )
    started = time.monotonic()
    with transaction.atomic():
        if has_data():
            return None
        rng = random.Random(seed)
        password = secrets.token_urlsafe(12)
        groups = _groups()
        staff = _staff(groups, password)
        orgs = _organizations()
        people = _customers(rng, customers, password)
        categories = _categories()
        writer = TicketWriter(rng, timezone.now(), groups, staff, categories)
        for _ in range(tickets - 2):
            writer.write_ticket(rng.choices(people, weights=_weights(len(people)))[0])
        writer.write_duplicate_pair(people[0])
        links = writer.link_related()
    return DemoSummary(
        groups=len(groups),
        agents=len(staff),
        organizations=len(orgs),
        customers=len(people),
        tickets=writer.tickets_written,
        messages=Message.objects.count(),
        links=links,
        merges=writer.merges,
        seconds=time.monotonic() - started,
        password=password,
    )


def _weights(count: int) -> list[float]:
    """A few customers write a lot, most write once or twice."""
    return [1 / (i + 1) ** 0.6 for i in range(count)]


def _groups() -> dict[str, Group]:
    return {
        key: accounts.create_group(SYSTEM, name=name, description=description)
        for key, (name, description) in data.GROUPS.items()
    }


def _organizations() -> list[Organization]:
    return [
        accounts.create_organization(SYSTEM, name=name, domains=[domain], shared_tickets=shared)
        for name, domain, shared in data.ORGANIZATIONS
    ]


def _staff(groups: dict[str, Group], password: str) -> list[User]:
    return [
        accounts.create_user(
            SYSTEM,
            email=agent.email,
            password=password,
            name=agent.name,
            role=agent.role,
            locale=agent.locale,
            time_zone=agent.time_zone,
            group_ids=[groups[key].pk for key in agent.groups],
        )
        for agent in data.AGENTS
    ]


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return plain.lower().replace(" ", ".")


def _customers(rng: random.Random, count: int, password: str) -> list[User]:
    """Half Spanish-speaking, half English-speaking; some at the two organizations' domains."""
    people: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    domains = {"es": data.ORGANIZATIONS[0][1], "en": data.ORGANIZATIONS[1][1]}
    for i in range(count):
        lang = "es" if i % 2 == 0 else "en"
        first = data.FIRST_NAMES_ES if lang == "es" else data.FIRST_NAMES_EN
        last = data.LAST_NAMES_ES if lang == "es" else data.LAST_NAMES_EN
        name = f"{first[(i // 2) % len(first)]} {rng.choice(last)}"
        while name in seen:
            name = f"{rng.choice(first)} {rng.choice(last)}"
        seen.add(name)
        domain = domains[lang] if i < 16 else rng.choice(data.FREE_MAIL)
        people.append((name, lang, f"{_ascii(name)}@{domain}"))
    customers = []
    for index, (name, lang, email) in enumerate(people):
        phone = _phone(rng, lang) if rng.random() < 0.4 else ""
        customer = accounts.create_user(
            SYSTEM,
            email=email,
            password=password if index == 0 else None,
            name=name,
            role=Role.CUSTOMER,
            locale=lang,
            organization_id=_org_id(email),
            phone=phone,
        )
        if phone:
            channels = [IdentityChannel.PHONE]
            if rng.random() < 0.6:
                channels.append(IdentityChannel.WHATSAPP)
            for channel in channels:
                accounts.add_identity(SYSTEM, user_id=customer.pk, channel=channel, value=phone)
        customers.append(customer)
    return customers


def _org_id(email: str) -> int | None:
    org = accounts.organization_for_email(email)
    return org.pk if org else None


def _phone(rng: random.Random, lang: str) -> str:
    if lang == "es":
        return f"+34 6{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}"
    return f"+44 7{rng.randint(100, 999)} {rng.randint(100000, 999999)}"


def _categories() -> dict[str, Category]:
    categories: dict[str, Category] = {}
    for key, (name_en, name_es, parent) in data.CATEGORIES.items():
        categories[key] = Category.objects.create(
            name_en=name_en, name_es=name_es, parent=categories[parent] if parent else None
        )
    return categories


def demo_customer_email() -> str:
    """The demo customer who has a password, for trying the customer side; "" if none."""
    customer = (
        User.objects.filter(role=Role.CUSTOMER, email__isnull=False)
        .exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .order_by("pk")
        .first()
    )
    return str(customer.email) if customer else ""


__all__ = ["DemoSummary", "Login", "demo_customer_email", "demo_logins", "has_data", "load_demo"]

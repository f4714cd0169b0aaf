"""Test data built through the services, the way the app itself writes it."""

from __future__ import annotations

import itertools
from typing import Any

from atiende.accounts import services as accounts
from atiende.accounts.models import Group, Organization, Role, User
from atiende.core.actor import Actor, Source
from atiende.tickets import services as tickets
from atiende.tickets.models import Ticket

_seq = itertools.count(1)
SYSTEM = Actor.system("tests")
PASSWORD = "correct horse battery staple"


def web(user: User | None) -> Actor:
    return Actor(user=user, source=Source.WEB)


def api(user: User | None) -> Actor:
    return Actor(user=user, source=Source.API)


def make_group(name: str | None = None) -> Group:
    return Group.objects.create(name=name or f"Group {next(_seq)}")


def make_org(
    name: str | None = None, *, domains: tuple[str, ...] = (), shared: bool = False
) -> Organization:
    return accounts.create_organization(
        SYSTEM, name=name or f"Org {next(_seq)}", domains=domains, shared_tickets=shared
    )


def make_user(role: str = Role.CUSTOMER, *, groups: tuple[Group, ...] = (), **fields: Any) -> User:
    n = next(_seq)
    email = fields.pop("email", f"{role}{n}@example.com")
    fields.setdefault("name", f"{role.title()} {n}")
    user = accounts.create_user(SYSTEM, email=email, password=PASSWORD, role=role, **fields)
    if groups:
        user.groups.set(groups)
    return user


def make_agent(*groups: Group, **fields: Any) -> User:
    return make_user(Role.AGENT, groups=groups, **fields)


def make_admin(**fields: Any) -> User:
    return make_user(Role.ADMIN, **fields)


def make_customer(**fields: Any) -> User:
    return make_user(Role.CUSTOMER, **fields)


def make_ticket(requester: User | None = None, *, actor: Actor = SYSTEM, **fields: Any) -> Ticket:
    fields.setdefault("subject", f"Ticket {next(_seq)}")
    fields.setdefault("body", "Something is not working.")
    return tickets.open_ticket(actor, requester=requester or make_customer(), **fields)

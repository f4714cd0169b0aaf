"""Shared set-up for the inbox tests: two groups, their agents, an admin, signed-in clients."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from atiende.accounts.models import Group, User
from tests.factories import make_admin, make_agent, make_group


@dataclass
class Team:
    support: Group
    billing: Group
    admin: User
    agent: User  # in support
    other: User  # in billing only


@pytest.fixture
def team(db: None) -> Team:
    support, billing = make_group("Support"), make_group("Billing")
    return Team(
        support=support,
        billing=billing,
        admin=make_admin(name="Ada Admin"),
        agent=make_agent(support, name="Sam Support"),
        other=make_agent(billing, name="Bea Billing"),
    )


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client

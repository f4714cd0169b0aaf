from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from atiende.accounts.models import Group, User
from atiende.tickets.models import Ticket
from tests.factories import make_agent, make_customer, make_group, make_ticket


@pytest.fixture
def group() -> Group:
    return make_group("Support")


@pytest.fixture
def agent(group: Group) -> User:
    return make_agent(group, name="Ana Pérez")


@pytest.fixture
def customer() -> User:
    return make_customer(name="Luis Gómez", email="luis@example.com")


@pytest.fixture
def ticket(group: Group, customer: User) -> Ticket:
    return make_ticket(customer, group_id=group.pk, subject="Printer on fire")


@pytest.fixture
def client_for() -> Any:
    def sign_in(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def hx() -> dict[str, str]:
    """Headers of an htmx request."""
    return {"HX-Request": "true"}

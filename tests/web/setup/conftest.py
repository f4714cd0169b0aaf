from __future__ import annotations

import pytest
from django.test import Client

from atiende.accounts.models import User
from tests.factories import make_admin


@pytest.fixture
def admin() -> User:
    return make_admin(name="Ada Admin")


@pytest.fixture
def as_admin(admin: User) -> Client:
    client = Client()
    client.force_login(admin)
    return client

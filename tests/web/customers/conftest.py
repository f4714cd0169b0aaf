"""Signed-in clients for the customers area."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from atiende.accounts.models import User


@pytest.fixture
def signed_in() -> Callable[[User], Client]:
    """A client signed in as ``user`` (CSRF enforced, as in a browser)."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make

"""Each request speaks its user's language and leaves the thread's language as it found it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import make_agent

pytestmark = pytest.mark.django_db


def test_a_spanish_agents_request_is_spanish_and_does_not_leak(client: Client) -> None:
    client.force_login(make_agent(locale="es"))
    with translation.override("en"):
        response = client.get(reverse("inbox"))
        assert translation.get_language() == "en"
    assert response["Content-Language"] == "es"
    assert '<html lang="es">' in response.content.decode()

"""Property-based conformance of the whole API against its own OpenAPI schema.

Bounded in examples per operation; runs on SQLite and, in CI, on PostgreSQL, where NUL bytes,
lone surrogates and out-of-range integers would surface as 500s that SQLite hides.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from atiende.accounts import services as accounts
from tests.factories import SYSTEM, make_admin, make_group, make_ticket

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db]


# Raw email upload (POST /mailboxes/{id}/messages) takes the bytes as they are.
schemathesis.serializer.alias("message/rfc822", "application/octet-stream")

# Every check runs. A schema-valid request may still name something that does not exist (a
# status key, a custom field, a cursor of another list): the API answers 422 naming the field,
# which no schema can foresee, so 422 counts as a considered answer to valid data.
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", 401, 403, 404, 409, 422, 429]
            }
        }
    }
)

# Loaded at collection: fetching the schema touches no database.
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application(), config=CONFIG
)


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """Requests here bypass Django's test client, whose request signals would close the
    connection that holds the test transaction (seen on PostgreSQL)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(keep_test_connection: None) -> str:
    admin = make_admin()
    group = make_group()
    for _ in range(3):
        make_ticket(group_id=group.pk)
    return accounts.create_api_token(SYSTEM, user=admin, name="schemathesis")[1]


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case: Any, token: str) -> None:
    """Every check schemathesis has (``--checks all``): server errors, status codes, content
    types, response schemas and headers, positive and negative data, methods and ``Allow``,
    ignored auth."""
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})

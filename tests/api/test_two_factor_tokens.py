"""Two-factor sign-in required of staff leaves the API with personal tokens as it is."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import problem
from tests.factories import make_agent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_the_api_with_a_token_is_not_affected(as_user: Any, settings: Any) -> None:
    settings.ATIENDE_STAFF_TWO_FACTOR_REQUIRED = True
    api = as_user(make_agent())
    assert api.get("/tickets").status_code == 200
    problem(api.get("/tickets/999999"), 404)

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _shape_only_action_validator() -> Iterator[None]:
    """These tests are about SLA timing, not the action types (the automation helpers' own
    tests cover those): levels' actions are checked for shape only, whatever is registered."""
    from atiende.sla import escalation

    plugged = escalation.action_validator()
    escalation.use_action_validator(None)
    yield
    escalation.use_action_validator(plugged)


@pytest.fixture(autouse=True)
def _without_the_shipped_policy(request: pytest.FixtureRequest) -> None:
    """These tests are about the policies admins write, from an empty list; the shipped chat
    and messaging policy has its own (test_shipped_policy.py)."""
    if request.node.get_closest_marker("django_db") is None or "shipped" in request.path.name:
        return
    request.getfixturevalue("_django_db_helper")
    from tests.sla.helpers import remove_shipped_policy

    remove_shipped_policy()

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

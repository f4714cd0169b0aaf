"""Moving an SLA policy up or down: the order policies are tried in, admins only."""

from __future__ import annotations

import pytest

from atiende.core.errors import Forbidden, NotFound
from atiende.sla.models import SlaPolicy
from atiende.sla.selectors import active_policies
from atiende.sla.services.policies import create_policy, move_policy
from tests.factories import SYSTEM, make_agent, web

pytestmark = pytest.mark.django_db


def test_up_and_down_swap_with_the_neighbour_and_the_cache_follows() -> None:
    a = create_policy(SYSTEM, name="A", order=0, targets=[])
    b = create_policy(SYSTEM, name="B", order=0, targets=[])
    assert [p.name for p in active_policies()] == ["A", "B"]
    move_policy(SYSTEM, policy_id=b.pk, up=True)
    assert [p.name for p in SlaPolicy.objects.order_by("order", "id")] == ["B", "A"]
    assert [p.name for p in active_policies()] == ["B", "A"]
    move_policy(SYSTEM, policy_id=b.pk, up=False)
    assert [p.name for p in active_policies()] == ["A", "B"]
    with pytest.raises(Forbidden):
        move_policy(web(make_agent()), policy_id=a.pk, up=False)
    with pytest.raises(NotFound):
        move_policy(SYSTEM, policy_id=999_999, up=True)

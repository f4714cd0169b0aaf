"""The SLA configuration reads and the policies' new order: staff read, admins reorder, a new
order must name every policy once."""

from __future__ import annotations

import pytest

from atiende.core.errors import Forbidden, Invalid
from atiende.sla import config_selectors
from atiende.sla.services.policies import reorder_policies
from tests.factories import SYSTEM, api, make_agent, make_customer
from tests.sla.helpers import standard_policy, targets

pytestmark = pytest.mark.django_db


def test_policies_listed_in_order_and_reordered() -> None:
    first = standard_policy(name="First", order=1)
    second = standard_policy(name="Second", order=2, targets=targets("high", first_reply=5))
    agent = api(make_agent())
    page = config_selectors.list_policies(agent, limit=10, cursor=None)
    assert [p.pk for p in page.items] == [first.pk, second.pk]
    reorder_policies(SYSTEM, ids=[second.pk, first.pk])
    page = config_selectors.list_policies(agent, limit=10, cursor=None)
    assert [p.pk for p in page.items] == [second.pk, first.pk]
    with pytest.raises(Invalid) as refused:
        reorder_policies(SYSTEM, ids=[second.pk])
    assert [e.field for e in refused.value.errors] == ["ids"]
    with pytest.raises(Forbidden):
        reorder_policies(agent, ids=[first.pk, second.pk])
    with pytest.raises(Forbidden):
        config_selectors.list_policies(api(make_customer()), limit=10, cursor=None)

"""Moving a trigger up or down: the order the engine runs them in, admins only."""

from __future__ import annotations

import pytest

from atiende.automation.models import Trigger
from atiende.automation.triggers.services import create_trigger, move_trigger
from atiende.core.errors import Forbidden, NotFound
from tests.factories import SYSTEM, make_agent, web

pytestmark = pytest.mark.django_db


def make(name: str, order: int) -> Trigger:
    return create_trigger(
        SYSTEM, name=name, order=order, conditions={},
        actions=[{"type": "add_tags", "value": [name.lower()]}],
    )  # fmt: skip


def names() -> list[str]:
    return [t.name for t in Trigger.objects.order_by("order", "id") if t.name in "ABC"]


def test_up_and_down_swap_with_the_neighbour_even_with_equal_orders() -> None:
    make("A", 5000)
    b = make("B", 5000)
    make("C", 5000)
    move_trigger(SYSTEM, trigger_id=b.pk, up=True)
    assert names() == ["B", "A", "C"]
    move_trigger(SYSTEM, trigger_id=b.pk, up=False)
    move_trigger(SYSTEM, trigger_id=b.pk, up=False)
    assert names() == ["A", "C", "B"]
    move_trigger(SYSTEM, trigger_id=b.pk, up=False)  # already last: stays
    assert names() == ["A", "C", "B"]
    orders = list(Trigger.objects.order_by("order").values_list("order", flat=True))
    assert len(set(orders)) == len(orders)


def test_agents_cannot_and_unknown_ids_are_not_found() -> None:
    a = make("A", 5000)
    with pytest.raises(Forbidden):
        move_trigger(web(make_agent()), trigger_id=a.pk, up=True)
    with pytest.raises(NotFound):
        move_trigger(SYSTEM, trigger_id=999_999, up=True)

"""The triggers' new order and the editors' vocabulary."""

from __future__ import annotations

import pytest

from atiende.automation import config_selectors
from atiende.automation.models import Trigger
from atiende.automation.triggers.services import create_trigger, reorder_triggers
from atiende.core.errors import Forbidden, Invalid
from tests.factories import SYSTEM, api, make_agent, make_customer

pytestmark = pytest.mark.django_db


def test_reorder_names_every_trigger_once() -> None:
    ours = create_trigger(
        SYSTEM, name="Ours", conditions={}, actions=[{"type": "add_tags", "value": ["x"]}]
    )
    others = list(
        Trigger.objects.exclude(pk=ours.pk).order_by("order").values_list("pk", flat=True)
    )
    reorder_triggers(SYSTEM, ids=[ours.pk, *others])
    order = list(Trigger.objects.order_by("order").values_list("pk", flat=True))
    assert order == [ours.pk, *others]
    with pytest.raises(Invalid) as refused:
        reorder_triggers(SYSTEM, ids=[ours.pk, ours.pk, *others])
    assert [e.field for e in refused.value.errors] == ["ids[1]"]
    with pytest.raises(Forbidden):
        reorder_triggers(api(make_agent()), ids=[ours.pk, *others])


def test_vocabulary_is_for_staff() -> None:
    agent = api(make_agent())
    assert any(a["name"] == "add_tags" for a in config_selectors.action_vocabulary(agent))
    fields = config_selectors.condition_vocabulary(agent)["trigger_fields"]
    assert {"name", "type", "operators", "choices"} <= set(fields[0])
    with pytest.raises(Forbidden):
        config_selectors.condition_vocabulary(api(make_customer()))

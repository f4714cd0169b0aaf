"""The configuration snapshot: fresh after a change in this process, copies for callers."""

from __future__ import annotations

import pytest

from atiende.tickets import config_cache
from atiende.tickets.models import CustomField, Priority, Status, StatusCategory
from atiende.tickets.services import common

pytestmark = pytest.mark.django_db


def test_snapshot_is_read_once_then_reused(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(4):  # statuses, priorities, custom fields, transitions
        config_cache.snapshot()
    with django_assert_num_queries(0):
        assert common.default_status().key == "new"
        assert common.default_priority().key == "normal"
        assert common.resolve_status("pending").key == "pending"
        open_status = common.first_status_in(StatusCategory.OPEN)
        assert open_status is not None
        common.check_transition(common.default_status(), open_status)


def test_a_saved_change_is_seen_at_once() -> None:
    assert common.default_priority().key == "normal"
    Priority.objects.filter(key="normal").update(is_default=False)  # no signal: still cached
    assert common.default_priority().key == "normal"
    high = Priority.objects.get(key="high")
    high.is_default = True
    high.save()  # a save (services, admin) clears the snapshot
    assert common.default_priority().key == "high"


def test_new_custom_field_and_deactivated_status_are_seen() -> None:
    from atiende.tickets.custom_fields import definitions

    assert "order_ref" not in definitions("ticket")
    CustomField.objects.create(key="order_ref", target="ticket", type="text", name_en="Order")
    assert "order_ref" in definitions("ticket")
    pending = Status.objects.get(key="pending")
    pending.is_active = False
    pending.save()
    with pytest.raises(Exception, match="Unknown status"):
        common.resolve_status("pending")


def test_callers_get_copies() -> None:
    status = common.default_status()
    status.key = "changed in memory"
    assert common.default_status().key == "new"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_snapshot_read_while_the_tables_are_empty_is_not_kept() -> None:
    """Another process may read the tables between a reset's flush and its reload (a restore,
    a test database reset): what it read must not refuse the next ten seconds' writes."""
    statuses = list(Status.objects.all())
    Status.objects.all().delete()
    config_cache.clear()
    assert config_cache.snapshot().statuses == ()  # read mid-reset
    Status.objects.bulk_create(statuses)  # the reload: bulk, no signal clears the snapshot
    assert common.default_status().key == "new"

"""Every settings list costs the same number of queries for 3 rows as for 30."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import User
from atiende.automation.macros.services import create_macro
from atiende.tickets.services.config import (
    create_category,
    create_custom_field,
    create_priority,
    create_status,
)
from tests.factories import SYSTEM, make_agent, make_group, make_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PAGES = [
    "settings-groups",
    "settings-agents",
    "settings-statuses",
    "settings-priorities",
    "settings-tags",
    "settings-categories",
    "settings-fields",
    "settings-canned",
]


def build(n: int, start: int) -> None:
    parent = None
    for i in range(start, start + n):
        group = make_group(f"Group {i}")
        make_agent(group, make_group(f"Extra {i}"))
        make_ticket(tags=[f"tag{i}", "common"])
        create_priority(SYSTEM, key=f"p{i}", name_en=f"P{i}")
        create_status(SYSTEM, key=f"s{i}", category="open", name_en=f"S{i}", order=100 + i,
                      allowed_next=["open", "solved"])  # fmt: skip
        parent = create_category(
            SYSTEM, name_en=f"Cat {i}", parent_id=parent.pk if parent else None
        )
        create_custom_field(SYSTEM, target="ticket", key=f"f{i}", type="select", name_en=f"F{i}",
                            options=["a", "b"])  # fmt: skip
        create_macro(SYSTEM, name=f"C{i}", body="x", shared=True, group_id=group.pk)


@pytest.mark.parametrize("name", PAGES)
def test_settings_lists_are_bounded(
    name: str, as_admin: Client, admin: User, django_assert_max_num_queries: object
) -> None:
    build(3, 0)
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        small = as_admin.get(reverse(name))
    assert small.status_code == 200
    build(27, 3)
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        big = as_admin.get(reverse(name))
    assert big.status_code == 200
    assert len(big.content) > len(small.content)

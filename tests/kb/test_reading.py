"""Views per translation per day and readers per day: counted for visitors and customers,
never for staff previews, with an upsert that concurrent readers cannot double-insert."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test import Client

from atiende.core.actor import Actor
from atiende.kb.models import ArticleViewDay, ReaderDay
from atiende.kb.services import reading
from tests.factories import make_customer, web
from tests.web.help.content import KB, article_url, build_kb

pytestmark = pytest.mark.django_db


@pytest.fixture
def kb() -> KB:
    return build_kb()


def views(kb: KB) -> dict[tuple[int, date], int]:
    return {(v.translation_id, v.day): v.views for v in ArticleViewDay.objects.all()}


def test_views_add_up_per_translation_per_day(kb: KB) -> None:
    with time_machine.travel("2026-03-02 10:00Z", tick=False):
        for _ in range(3):
            reading.record_view(None, translation_id=kb.public.pk, reader="a")
        reading.record_view(None, translation_id=kb.public_en.pk, reader="a")
    with time_machine.travel("2026-03-03 09:00Z", tick=False):
        reading.record_view(None, translation_id=kb.public.pk, reader="b")
    assert views(kb) == {
        (kb.public.pk, date(2026, 3, 2)): 3,
        (kb.public_en.pk, date(2026, 3, 2)): 1,
        (kb.public.pk, date(2026, 3, 3)): 1,
    }
    # One reader row per reader per day, however many pages.
    assert sorted(ReaderDay.objects.values_list("day", "reader")) == [
        (date(2026, 3, 2), "a"),
        (date(2026, 3, 3), "b"),
    ]


def test_staff_previews_and_the_system_are_not_counted(kb: KB) -> None:
    assert not reading.record_view(web(kb.agent), translation_id=kb.public.pk, reader="x")
    assert not reading.record_view(Actor.system(), translation_id=kb.public.pk, reader="x")
    assert reading.record_view(web(make_customer()), translation_id=kb.public.pk, reader="c")
    assert views(kb)[(kb.public.pk, date.today())] == 1
    assert list(ReaderDay.objects.values_list("reader", flat=True)) == ["c"]


def test_opening_the_page_counts_a_view_and_a_reader(kb: KB) -> None:
    visitor = Client()
    visitor.get(article_url(kb.public))
    visitor.get(article_url(kb.public))
    customer = make_customer()
    signed = Client()
    signed.force_login(customer)
    signed.get(article_url(kb.public))
    staff = Client()
    staff.force_login(kb.agent)
    staff.get(article_url(kb.public))
    staff.get(article_url(kb.internal))
    assert ArticleViewDay.objects.get(translation=kb.public).views == 3
    assert not ArticleViewDay.objects.filter(translation=kb.internal).exists()
    readers = list(ReaderDay.objects.values_list("reader", "user_id"))
    assert len(readers) == 2 and (f"user:{customer.pk}", customer.pk) in readers
    # A HEAD is not a reader; a page that is not found counts nothing.
    assert Client().head(article_url(kb.public)).status_code == 200
    assert ArticleViewDay.objects.get(translation=kb.public).views == 3
    Client().get(article_url(kb.draft))
    assert ArticleViewDay.objects.count() == 1


def test_the_article_page_costs_a_bounded_number_of_queries(
    kb: KB, django_assert_max_num_queries: object
) -> None:
    client = Client()
    client.get(article_url(kb.public))  # the session exists from here on
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert client.get(article_url(kb.public)).status_code == 200


@pytest.fixture
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the insert race exists only on PostgreSQL")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.xdist_group("concurrency")
@pytest.mark.usefixtures("_postgresql_only")
def test_concurrent_first_views_never_double_insert(kb: KB) -> None:
    """Threads open the same article at the same instant on its first day: on PostgreSQL the
    inserts race for real, and every view counts in one row."""
    from tests.api.test_concurrency import run_together

    count = 8
    results = run_together(
        count,
        lambda i: reading.record_view(None, translation_id=kb.public.pk, reader=f"r{i % 2}"),
    )
    assert results == [True] * count
    [row] = ArticleViewDay.objects.filter(translation=kb.public)
    assert row.views == count
    assert ReaderDay.objects.count() == 2

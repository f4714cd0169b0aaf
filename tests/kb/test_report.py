"""The knowledge-base report's figures from known data, on a controlled clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from atiende.core.errors import Forbidden, Invalid
from atiende.kb import reports
from atiende.kb.models import Deflection, SearchLog
from atiende.kb.services import feedback, reading
from tests.factories import make_admin, make_customer, make_ticket, web
from tests.web.help.content import KB, build_kb, write

pytestmark = pytest.mark.django_db

TODAY = "2026-05-31 12:00Z"


@pytest.fixture
def kb() -> Iterator[KB]:
    with time_machine.travel(TODAY, tick=False):
        yield build_kb()


def at(moment: str) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


def seed(kb: KB) -> None:
    """Views, answers, searches, deflections, readers and tickets inside and outside 7 days."""
    other = write(kb.agent, kb.section, "Facturas duplicadas")
    with at("2026-05-30 10:00Z"):  # inside the last 7 days
        for i in range(5):
            reading.record_view(None, translation_id=kb.public.pk, reader=f"v{i}")
        reading.record_view(None, translation_id=other.pk, reader="v0")
        # public: 1 of 5 helpful (20 %); other: 3 of 5 (60 %); en: 1 answer (too few).
        for i in range(5):
            feedback.answer(None, translation_id=kb.public.pk, reader=f"p{i}", helpful=i == 0)
            feedback.answer(None, translation_id=other.pk, reader=f"o{i}", helpful=i < 3)
        feedback.answer(None, translation_id=kb.public_en.pk, reader="e", helpful=False)
        feedback.answer(
            None,
            translation_id=kb.public.pk,
            reader="p1",
            helpful=False,
            comment="Falta el paso <b>2</b>",
        )
        for query in ("Factura PDF", "factura pdf", "reembolso"):
            SearchLog.objects.create(query=query, language="es", results=0, source="help")
        SearchLog.objects.create(query="contraseña", language="es", results=4, source="help")
        Deflection.objects.create(translation=kb.public, reader="v1")
        Deflection.objects.create(translation=kb.public, reader="v2")
        Deflection.objects.create(translation=kb.public, reader="v3", submitted=True)
        make_ticket(make_customer())
    with at("2026-05-31 09:00Z"):
        SearchLog.objects.create(query="reembolso", language="es", results=0, source="form")
        customer = make_customer()
        reading.record_view(web(customer), translation_id=other.pk, reader=f"user:{customer.pk}")
        make_ticket(customer)
        make_ticket(customer)
    with at("2026-05-01 10:00Z"):  # 31 days ago: outside 7 and 30 days, inside 90
        for _ in range(9):
            reading.record_view(None, translation_id=other.pk, reader="old")
        SearchLog.objects.create(query="viejo", language="es", results=0, source="help")
        Deflection.objects.create(translation=other, reader="old")
        make_ticket(make_customer())


def test_the_report_over_seven_days(kb: KB) -> None:
    seed(kb)
    with at(TODAY):
        report = reports.kb_report(web(make_admin()), days=7)
    assert (report.period.first_day, report.period.last_day) == (
        date(2026, 5, 25),
        date(2026, 5, 31),
    )
    assert [(r.title, r.views) for r in report.most_viewed] == [
        ("Cambiar la contraseña", 5),
        ("Facturas duplicadas", 2),
    ]
    assert [(r.title, r.helpful, r.votes) for r in report.least_helpful] == [
        ("Cambiar la contraseña", 1, 5),
        ("Facturas duplicadas", 3, 5),
    ]
    assert report.least_helpful[0].ratio == pytest.approx(0.2)
    # Most searched first, then the latest; letter case does not split a query.
    assert [(m.query, m.count) for m in report.missed_searches] == [
        ("reembolso", 2),
        ("factura pdf", 2),
    ]
    assert report.missed_searches[0].last_seen.isoformat() == "2026-05-31T09:00:00+00:00"
    assert report.deflections_total == 2
    assert [(d.title, d.count) for d in report.deflections] == [("Cambiar la contraseña", 2)]
    # Readers: v0…v4 and the customer (6); people who opened a ticket: 2.
    assert (report.self_service.readers, report.self_service.requesters) == (6, 2)
    assert report.self_service.score == Decimal("3.00")
    assert [(c.title, c.helpful, c.comment) for c in report.comments] == [
        ("Cambiar la contraseña", False, "Falta el paso <b>2</b>")
    ]


def test_longer_periods_take_in_older_data(kb: KB) -> None:
    seed(kb)
    admin = web(make_admin())
    with at(TODAY):
        month = reports.kb_report(admin, days=30)
        quarter = reports.kb_report(admin, days=90)
    assert month.period.first_day == date(2026, 5, 2)
    assert [r.views for r in month.most_viewed] == [5, 2]
    top = quarter.most_viewed[0]
    assert (top.title, top.views) == ("Facturas duplicadas", 11)
    assert "viejo" in [m.query for m in quarter.missed_searches]
    assert quarter.deflections_total == 3
    assert (quarter.self_service.readers, quarter.self_service.requesters) == (7, 3)


def test_minimum_votes_and_an_empty_period(kb: KB) -> None:
    with at(TODAY):
        report = reports.kb_report(web(make_admin()), days=7)
    assert report.most_viewed == report.least_helpful == report.missed_searches == []
    assert report.self_service.score is None  # nobody opened a ticket


def test_the_report_is_for_staff_and_for_known_periods(kb: KB) -> None:
    with pytest.raises(Forbidden):
        reports.kb_report(web(make_customer()))
    with pytest.raises(Invalid) as bad:
        reports.kb_report(web(make_admin()), days=365)
    assert [e.field for e in bad.value.errors] == ["days"]


def test_the_report_costs_a_fixed_number_of_queries(
    kb: KB, django_assert_max_num_queries: object
) -> None:
    seed(kb)
    admin = web(make_admin())
    with at(TODAY), django_assert_max_num_queries(9):  # type: ignore[operator]
        reports.kb_report(admin, days=90)


def test_the_report_screen(kb: KB) -> None:
    seed(kb)
    with at(TODAY):
        assert Client().get("/kb/report/").status_code == 302  # to sign in
        customer = Client()
        customer.force_login(make_customer())
        assert customer.get("/kb/report/").status_code == 403
        staff = Client()
        staff.force_login(kb.agent)
        page = staff.get("/kb/report/?days=7")
        html = page.content.decode()
        assert page.status_code == 200
        assert 'aria-current="page"' in html and "data-score>3.00<" in html
        assert "factura pdf" in html and "Cambiar la contraseña" in html
        assert "Falta el paso &lt;b&gt;2&lt;/b&gt;" in html  # a reader's words, escaped
        assert staff.get("/kb/report/?days=12").status_code == 200  # back to 30 days

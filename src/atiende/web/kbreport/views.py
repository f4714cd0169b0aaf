"""The knowledge-base report: one selector (`kb.reports.kb_report`) over a chosen period."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from atiende.kb.reports import PERIODS, kb_report
from atiende.web.common import actor, staff_required

DEFAULT_DAYS = 30


@require_safe
@staff_required
def report(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("days", "")
    days = int(raw) if raw.isdecimal() and int(raw) in PERIODS else DEFAULT_DAYS
    data = kb_report(actor(request), days=days)
    return render(
        request, "web/kbreport/report.html", {"report": data, "periods": PERIODS, "days": days}
    )

"""URLs of the workspace area: the knowledge-base report."""

from __future__ import annotations

from django.urls import path

from atiende.web.kbreport import views

urlpatterns = [path("kb/report/", views.report, name="kb-report")]

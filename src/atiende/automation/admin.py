"""Macros and their usage, read-only: they are written through ``automation.macros.services``
(the workspace's settings and account pages), which check placeholders and actions."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from atiende.automation.models import Macro, MacroUsage


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Macro)
class MacroAdmin(ReadOnly):
    list_display = ("name", "owner", "group", "is_active", "updated_at")
    list_filter = ("is_active",)
    list_select_related = ("owner", "group")
    search_fields = ("name", "body")


@admin.register(MacroUsage)
class MacroUsageAdmin(ReadOnly):
    list_display = ("macro", "agent", "count", "last_used_at")
    list_select_related = ("macro", "agent")

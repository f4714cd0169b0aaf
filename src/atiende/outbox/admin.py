"""The outbox in the admin: read-only, so failed effects are visible (retried by services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from atiende.outbox.models import Effect


@admin.register(Effect)
class EffectAdmin(admin.ModelAdmin[Effect]):
    list_display = (
        "pk",
        "kind",
        "state",
        "attempts",
        "next_attempt_at",
        "created_at",
        "last_error",
    )
    list_filter = ("state", "kind")
    search_fields = ("key",)
    ordering = ("-pk",)
    readonly_fields = (
        "kind",
        "key",
        "payload",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "delivered_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

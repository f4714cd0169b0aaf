"""Macros and their usage, read-only: they are written through ``automation.macros.services``
(the workspace's settings and account pages), which check placeholders and actions.
Announcements are written here, through ``automation.autoreplies.services``."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from atiende.automation.autoreplies.services import create_announcement, update_announcement
from atiende.automation.models import Announcement, Macro, MacroUsage
from atiende.tickets.admin import ServiceForm, ThroughServices


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


class AnnouncementForm(ServiceForm):
    class Meta:
        model = Announcement
        fields = (
            "name", "kind", "text_en", "text_es", "starts_at", "ends_at", "group",
            "replaces_acknowledgement",
        )  # fmt: skip

    def service_value(self, name: str) -> Any:
        if name == "group":
            group = self.cleaned_data["group"]
            return group.pk if group is not None else None
        return self.cleaned_data[name]

    def write(self) -> Announcement:
        values = {
            ("group_id" if name == "group" else name): self.service_value(name)
            for name in (self.Meta.fields if self.instance.pk is None else self.changed_data)
        }
        if self.instance.pk is None:
            return create_announcement(self.actor, **values)
        return update_announcement(self.actor, announcement_id=self.instance.pk, changes=values)


@admin.register(Announcement)
class AnnouncementAdmin(ThroughServices, admin.ModelAdmin):  # type: ignore[type-arg]
    form = AnnouncementForm
    list_display = ("name", "kind", "starts_at", "ends_at", "group", "replaces_acknowledgement")
    list_filter = ("kind",)
    list_select_related = ("group",)

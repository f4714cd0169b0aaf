"""Administration of ticket configuration; tickets themselves are shown read-only.

Every change to a ticket goes through ``tickets.services`` (audit trail, events), so the
admin never edits, adds or deletes tickets, messages or their history.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from atiende.tickets.models import (
    Category,
    CustomField,
    Message,
    Priority,
    Status,
    Tag,
    Ticket,
    TicketEvent,
)


@admin.register(Status)
class StatusAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("key", "name_en", "name_es", "category", "order", "is_default", "is_active")
    list_filter = ("category", "is_active")
    search_fields = ("key", "name_en", "name_es")
    filter_horizontal = ("allowed_next",)


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("key", "name_en", "name_es", "order", "color", "is_default")
    search_fields = ("key", "name_en", "name_es")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "created_at")
    search_fields = ("name",)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name_en", "name_es", "parent", "is_active")
    list_filter = ("is_active",)
    list_select_related = ("parent",)
    search_fields = ("name_en", "name_es")


@admin.register(CustomField)
class CustomFieldAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("key", "name_en", "name_es", "target", "type", "required", "is_active")
    list_filter = ("target", "type", "is_active")
    search_fields = ("key", "name_en", "name_es")


class ReadOnly:
    """View permission only: the services are the one write path for these records."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class MessageInline(ReadOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = Message
    fields = ("created_at", "author", "public", "channel", "body_text")
    readonly_fields = fields
    ordering = ("created_at", "id")


@admin.register(Ticket)
class TicketAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("number", "subject", "status", "priority", "group", "assignee", "created_at")
    list_filter = ("status", "priority", "group", "channel")
    list_select_related = ("status", "priority", "group", "assignee")
    search_fields = ("=number", "subject")
    ordering = ("-created_at", "-id")
    show_full_result_count = False
    inlines = (MessageInline,)


@admin.register(Message)
class MessageAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("ticket", "author", "public", "direction", "channel", "created_at")
    list_filter = ("public", "direction", "channel")
    list_select_related = ("ticket", "author")
    search_fields = ("=ticket__number",)
    ordering = ("-created_at", "-id")
    show_full_result_count = False


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("ticket", "action", "field", "source", "actor", "created_at")
    list_filter = ("action", "source")
    list_select_related = ("ticket", "actor")
    search_fields = ("=ticket__number",)
    ordering = ("-created_at", "-id")
    show_full_result_count = False

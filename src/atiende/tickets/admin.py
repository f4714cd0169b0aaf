"""Administration of ticket configuration and, read-only, of tickets.

Every change goes through ``tickets.services`` (validation, the audit trail, events), so the
admin writes nothing itself: tags are added and deleted through ``services.config``;
statuses, priorities, categories and custom fields are shown read-only here and edited in the
workspace's settings or through the API (both call ``services.config``); tickets, messages and
their history are never edited here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from atiende.accounts.models import User
from atiende.core.actor import Actor, Source
from atiende.core.errors import AtiendeError
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
from atiende.tickets.services import config


def actor(request: HttpRequest) -> Actor:
    user = request.user
    return Actor(user if isinstance(user, User) else None, Source.WEB)


class ReadOnly:
    """View permission only: the services are the one write path for these records."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Status)
class StatusAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("key", "name_en", "name_es", "category", "order", "is_default", "is_active")
    list_filter = ("category", "is_active")
    search_fields = ("key", "name_en", "name_es")


@admin.register(Priority)
class PriorityAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("key", "name_en", "name_es", "order", "color", "is_default")
    search_fields = ("key", "name_en", "name_es")


@admin.register(Category)
class CategoryAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name_en", "name_es", "parent", "is_active")
    list_filter = ("is_active",)
    list_select_related = ("parent",)
    search_fields = ("name_en", "name_es")


@admin.register(CustomField)
class CustomFieldAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("key", "name_en", "name_es", "target", "type", "required", "is_active")
    list_filter = ("target", "type", "is_active")
    search_fields = ("key", "name_en", "name_es")


class TagAddForm(forms.ModelForm):  # type: ignore[type-arg]  # not subscriptable at run time
    """Adding a tag is ``services.config.create_tag``, run as the form's last check so that
    its errors (a bad or taken name) show next to the field."""

    actor: Actor  # set per request by ``TagAdmin.get_form``

    class Meta:
        model = Tag
        fields = ("name",)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.instance = config.create_tag(self.actor, name=self.cleaned_data["name"])
        except AtiendeError as error:
            for item in error.errors or ():
                self.add_error("name" if item.field == "name" else None, str(item.message))
            if not error.errors:
                self.add_error(None, str(error.detail))
            return cleaned
        self.cleaned_data["name"] = self.instance.name
        return self.cleaned_data


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Tags are added and deleted through ``services.config`` (a deleted tag leaves its trail:
    see ``delete_tag``); they are not renamed."""

    list_display = ("name", "created_at")
    search_fields = ("name",)
    form = TagAddForm

    def get_form(
        self, request: HttpRequest, obj: Any | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Any]]:
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"actor": actor(request)})

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Tag, form: Any, change: bool) -> None:
        """Nothing to save: the form's check created the tag through the service."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """A tag has no related rows to save here."""

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        """``services.config.delete_tag`` records the deletion itself, whoever calls it."""
        return []

    def delete_model(self, request: HttpRequest, obj: Tag) -> None:
        config.delete_tag(actor(request), tag_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Tag]) -> None:
        for pk in list(queryset.values_list("pk", flat=True)):
            config.delete_tag(actor(request), tag_id=pk)


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

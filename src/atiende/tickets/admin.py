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


class ServiceForm(forms.ModelForm):  # type: ignore[type-arg]  # not subscriptable at run time
    """A model form saved by a ``services.config`` call, made as its last check once the form's
    fields are valid, so that the service's refusals show next to their fields and nothing is
    written unless every check passed. The admin then only logs and redirects."""

    actor: Actor  # set per request by ``ThroughServices.get_form``

    def write(self) -> Any:
        """Create or update through the service; return the saved object."""
        raise NotImplementedError

    def changes(self) -> dict[str, Any]:
        """The changed fields, as the service names and wants them (ids, keys)."""
        return {name: self.service_value(name) for name in self.changed_data}

    def service_value(self, name: str) -> Any:
        return self.cleaned_data[name]

    def _post_clean(self) -> None:
        """ModelForm's last hook, in place of the model's own checks (unique keys, the single
        default): the service makes them, with the state it locked."""
        if self.errors:
            return
        try:
            self.instance = self.write()
        except AtiendeError as error:
            for item in error.errors:
                name = item.field.split(".")[0]
                self.add_error(name if name in self.fields else None, str(item.message))
            if not error.errors:
                self.add_error(None, str(error.detail))


class ThroughServices:
    """A ModelAdmin mixin: the form's service call is the save; nothing is deleted here."""

    def get_form(
        self, request: HttpRequest, obj: Any | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Any]]:
        form = super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]  # mixin
        return type(form.__name__, (form,), {"actor": actor(request)})

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Nothing to save: the form's last check saved through the service."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Related rows (a status's next statuses) were set by the service too."""

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class StatusForm(ServiceForm):
    class Meta:
        model = Status
        fields = (
            "key", "name_en", "name_es", "category", "order", "is_default", "is_active",
            "allowed_next",
        )  # fmt: skip

    def service_value(self, name: str) -> Any:
        if name == "allowed_next":
            return [status.key for status in self.cleaned_data[name]]
        return self.cleaned_data[name]

    def write(self) -> Status:
        if self.instance.pk is None:
            values = {name: self.service_value(name) for name in self.Meta.fields}
            return config.create_status(self.actor, **values)
        return config.update_status(self.actor, status_id=self.instance.pk, changes=self.changes())


@admin.register(Status)
class StatusAdmin(ThroughServices, admin.ModelAdmin):  # type: ignore[type-arg]
    form = StatusForm
    list_display = ("key", "name_en", "name_es", "category", "order", "is_default", "is_active")
    list_filter = ("category", "is_active")
    search_fields = ("key", "name_en", "name_es")
    filter_horizontal = ("allowed_next",)


class PriorityForm(ServiceForm):
    class Meta:
        model = Priority
        fields = ("key", "name_en", "name_es", "order", "color", "is_default")

    def write(self) -> Priority:
        if self.instance.pk is None:
            values = {name: self.service_value(name) for name in self.Meta.fields}
            return config.create_priority(self.actor, **values)
        return config.update_priority(
            self.actor, priority_id=self.instance.pk, changes=self.changes()
        )


@admin.register(Priority)
class PriorityAdmin(ThroughServices, admin.ModelAdmin):  # type: ignore[type-arg]
    form = PriorityForm
    list_display = ("key", "name_en", "name_es", "order", "color", "is_default")
    search_fields = ("key", "name_en", "name_es")


class CategoryForm(ServiceForm):
    class Meta:
        model = Category
        fields = ("name_en", "name_es", "parent", "is_active")

    def changes(self) -> dict[str, Any]:
        parent = self.cleaned_data.get("parent")
        return {
            "parent_id" if name == "parent" else name: (
                (parent.pk if parent else None) if name == "parent" else self.cleaned_data[name]
            )
            for name in self.changed_data
        }

    def write(self) -> Category:
        if self.instance.pk is None:
            parent = self.cleaned_data.get("parent")
            return config.create_category(
                self.actor,
                name_en=self.cleaned_data["name_en"],
                name_es=self.cleaned_data["name_es"],
                parent_id=parent.pk if parent else None,
                is_active=self.cleaned_data["is_active"],
            )
        return config.update_category(
            self.actor, category_id=self.instance.pk, changes=self.changes()
        )


@admin.register(Category)
class CategoryAdmin(ThroughServices, admin.ModelAdmin):  # type: ignore[type-arg]
    form = CategoryForm
    list_display = ("name_en", "name_es", "parent", "is_active")
    list_filter = ("is_active",)
    list_select_related = ("parent",)
    search_fields = ("name_en", "name_es")


class CustomFieldForm(ServiceForm):
    """Target, type and key are fixed once a field exists (values may be stored under it)."""

    class Meta:
        model = CustomField
        fields = (
            "target", "key", "type", "name_en", "name_es", "options", "required",
            "is_identifier", "order", "is_active",
        )  # fmt: skip

    def write(self) -> CustomField:
        if self.instance.pk is None:
            values = {name: self.service_value(name) for name in self.Meta.fields}
            values["options"] = values["options"] or []
            return config.create_custom_field(self.actor, **values)
        return config.update_custom_field(
            self.actor, field_id=self.instance.pk, changes=self.changes()
        )


@admin.register(CustomField)
class CustomFieldAdmin(ThroughServices, admin.ModelAdmin):  # type: ignore[type-arg]
    form = CustomFieldForm
    list_display = ("key", "name_en", "name_es", "target", "type", "required", "is_active")
    list_filter = ("target", "type", "is_active")
    search_fields = ("key", "name_en", "name_es")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("target", "key", "type") if obj is not None else ()


class TagForm(ServiceForm):
    class Meta:
        model = Tag
        fields = ("name",)

    def write(self) -> Tag:
        return config.create_tag(self.actor, name=self.cleaned_data["name"])


@admin.register(Tag)
class TagAdmin(ThroughServices, admin.ModelAdmin):  # type: ignore[type-arg]
    """Tags are added and deleted through ``services.config`` (a deleted tag leaves its trail:
    see ``delete_tag``); they are not renamed."""

    form = TagForm
    list_display = ("name", "created_at")
    search_fields = ("name",)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        """Admins may delete tags (through the service, below)."""
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

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

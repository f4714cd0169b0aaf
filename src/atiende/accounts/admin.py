"""Administration of people and teams: users, organizations, groups, identities, API tokens."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.forms import (
    ReadOnlyPasswordHashField,
    SetPasswordMixin,
    SetUnusablePasswordMixin,
)
from django.contrib.auth.models import Group as AuthGroup
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from atiende.accounts import services
from atiende.accounts.models import (
    ApiToken,
    Group,
    Identity,
    Organization,
    OrganizationDomain,
    User,
)
from atiende.core.actor import Actor, Source
from atiende.core.folding import fold

admin.site.site_header = "Atiende"
admin.site.site_title = "Atiende"
admin.site.index_title = _("Administration")

# Groups here are Atiende's teams; Django's permission groups are not used.
if admin.site.is_registered(AuthGroup):
    admin.site.unregister(AuthGroup)

TIME_ZONES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


def actor(request: HttpRequest) -> Actor:
    user = request.user
    return Actor(user if isinstance(user, User) else None, Source.WEB)


# Django's password mixins differ in signature by design; none is subscriptable at run time.
class UserAddForm(SetUnusablePasswordMixin, SetPasswordMixin, forms.ModelForm):  # type: ignore[misc, type-arg]
    usable_password = SetUnusablePasswordMixin.create_usable_password_field()
    password1, password2 = SetPasswordMixin.create_password_fields()
    time_zone = forms.ChoiceField(label=_("time zone"), choices=TIME_ZONES, initial="UTC")

    class Meta:
        model = User
        fields = ("email", "name", "role", "locale", "time_zone", "organization", "groups")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["password1"].required = False
        self.fields["password2"].required = False

    def clean(self) -> dict[str, Any] | None:
        self.validate_passwords()
        cleaned = super().clean()
        data = self.cleaned_data
        self.validate_password_for_user(User(email=data.get("email"), name=data.get("name", "")))
        return cleaned


class UserChangeForm(forms.ModelForm):  # type: ignore[type-arg]  # not subscriptable at run time
    password = ReadOnlyPasswordHashField(label=_("Password"))
    time_zone = forms.ChoiceField(label=_("time zone"), choices=TIME_ZONES)

    class Meta:
        model = User
        fields = (
            "email", "password", "name", "phone", "role", "is_active", "groups", "organization",
            "locale", "time_zone", "notes", "custom_fields",
        )  # fmt: skip


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):  # type: ignore[type-arg]  # Django's UserAdmin, our User
    form = UserChangeForm
    add_form = UserAddForm
    add_fieldsets = (
        (None, {"fields": ("email", "name", "usable_password", "password1", "password2")}),
        (_("Access"), {"fields": ("role", "groups", "organization")}),
        (_("Preferences"), {"fields": ("locale", "time_zone")}),
    )
    fieldsets = (
        (None, {"fields": ("email", "password", "name", "phone")}),
        (_("Access"), {"fields": ("role", "is_active", "groups", "organization")}),
        (_("Preferences"), {"fields": ("locale", "time_zone")}),
        (_("More"), {"fields": ("notes", "custom_fields")}),
        (_("Dates"), {"fields": ("email_verified_at", "last_login", "created_at", "updated_at")}),
    )
    readonly_fields = ("email_verified_at", "last_login", "created_at", "updated_at")
    list_display = ("email", "name", "role", "organization", "locale", "is_active")
    list_filter = ("role", "is_active", "locale", "groups", "organization")
    list_select_related = ("organization",)
    search_fields = ("email", "name", "phone")
    ordering = ("email",)
    filter_horizontal = ("groups",)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """New users go through ``accounts.services.create_user``; edits save in place, the
        folded name (what search compares) with the name."""
        if change:
            obj.folded_name = fold(obj.name)
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        created = services.create_user(
            actor(request),
            email=obj.email or "",
            password=data.get("password1") if data.get("set_usable_password") else None,
            name=obj.name,
            role=obj.role,
            locale=obj.locale,
            time_zone=obj.time_zone,
            organization_id=obj.organization_id,
            group_ids=[group.pk for group in data.get("groups", [])],
        )
        # The admin goes on with ``obj`` (groups, log entry, redirect): make it the saved row.
        obj.pk, obj.password = created.pk, created.password
        obj._state.adding, obj._state.db = False, created._state.db


class DomainInline(admin.TabularInline):  # type: ignore[type-arg]
    model = OrganizationDomain
    extra = 1


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "shared_tickets", "created_at")
    list_filter = ("shared_tickets",)
    search_fields = ("name", "domains__domain")
    inlines = (DomainInline,)

    def save_model(self, request: HttpRequest, obj: Organization, form: Any, change: bool) -> None:
        """Saved in place, the folded name (what search compares) with the name."""
        obj.folded_name = fold(obj.name)
        super().save_model(request, obj, form, change)


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "email", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "email")


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("value", "channel", "user", "verified_at")
    list_filter = ("channel",)
    list_select_related = ("user",)
    search_fields = ("value", "user__email", "user__name")
    autocomplete_fields = ("user",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Tokens are created by their owners (shown once); here they can only be revoked."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__email")
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "digest",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        for token in queryset:
            services.revoke_api_token(actor(request), token_id=token.pk)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )

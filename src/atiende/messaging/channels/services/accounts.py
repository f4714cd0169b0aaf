"""Channel accounts: created, changed and stopped by admins; the only writer of
``ChannelAccount``.

Each account gets a fresh random webhook key (replaced by ``rotate_webhook_key``: the old URL
stops at once); its secrets are stored encrypted and never shown back. ``check_fields=True``
(the settings screen, the API) also checks the settings and secrets against what the
provider asks for (``account_checks``).
"""

from __future__ import annotations

import secrets as random
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from atiende.accounts.models import Group
from atiende.core.actor import Actor
from atiende.core.errors import Conflict, ErrorCollector, Invalid, NotFound
from atiende.core.permissions import require_admin
from atiende.core.services import check_changes, clean_name
from atiende.core.text import clean_text
from atiende.messaging import crypto
from atiende.messaging.channels import registry
from atiende.messaging.channels.services.account_checks import check_account_fields
from atiende.messaging.channels.services.processing import take_in_spool
from atiende.messaging.models import ChannelAccount, ChannelProvider

WEBHOOK_KEY_BYTES = 32  # 43 url-safe characters: not guessable, fits the column
MAX_SETTINGS = 50
MAX_SETTING_NAME = 64
MAX_SETTING_VALUE = 2_000
ACCOUNT_FIELDS = {"name", "group_id", "settings", "secrets", "active"}


@transaction.atomic
def create_account(
    actor: Actor,
    *,
    provider: str,
    name: str,
    group_id: int | None = None,
    settings: Mapping[str, Any] | None = None,
    secrets: Mapping[str, Any] | None = None,
    active: bool = True,
    check_fields: bool = False,
) -> ChannelAccount:
    """A new account of ``provider`` (admins only), with a fresh random webhook key.

    With ``check_fields`` the settings and secrets must be what the provider asks for (empty
    values count as not given and are not stored)."""
    require_admin(actor)
    errors = ErrorCollector()
    if provider not in ChannelProvider.values:
        errors.add("provider", _("Unknown provider."))
    cleaned_name = _collect(errors, lambda: _clean_name(name))
    group = _collect(errors, lambda: _clean_group(group_id))
    cleaned_settings = _collect(errors, lambda: _clean_values(settings or {}, "settings"))
    cleaned_secrets = _collect(errors, lambda: _clean_values(secrets or {}, "secrets"))
    if check_fields and provider in ChannelProvider.values:
        cleaned_settings = {k: v for k, v in (cleaned_settings or {}).items() if v}
        cleaned_secrets = {k: v for k, v in (cleaned_secrets or {}).items() if v}
        check_account_fields(errors, provider, cleaned_settings, cleaned_secrets)
    errors.raise_if_any()
    account = ChannelAccount(
        provider=provider,
        name=cleaned_name or "",
        group=group,
        settings=cleaned_settings or {},
        secrets=registry.encrypt_secrets(cleaned_secrets or {}),
        webhook_key=new_webhook_key(),
        active=bool(active),
    )
    account.save()
    return account


@transaction.atomic
def update_account(
    actor: Actor,
    *,
    account_id: int,
    changes: Mapping[str, Any],
    check_fields: bool = False,
) -> ChannelAccount:
    """Change the given fields (admins only).

    ``settings`` replaces the settings. ``secrets`` is merged into the stored ones, which are
    never shown back: a name given a value sets it, a name given ``""`` or ``None`` removes it.
    With ``check_fields`` the result must still be what the provider asks for.
    """
    require_admin(actor)
    changes = dict(changes)
    check_changes(changes, allowed=ACCOUNT_FIELDS, nullable={"group_id"})
    account = _lock_account(account_id)
    stored = (dict(account.settings or {}), _stored_secrets(account)) if check_fields else None
    errors = ErrorCollector()
    if "name" in changes:
        account.name = _collect(errors, lambda: _clean_name(changes["name"])) or account.name
    if "group_id" in changes and changes["group_id"] != account.group_id:
        account.group = _collect(errors, lambda: _clean_group(changes["group_id"]))
    if "settings" in changes:
        account.settings = _collect(errors, lambda: _clean_values(changes["settings"], "settings"))
        if check_fields and account.settings is not None:
            account.settings = {k: v for k, v in account.settings.items() if v}
    if "secrets" in changes:
        given = changes["secrets"]
        if not isinstance(given, Mapping):
            errors.add("secrets", _("Give the secrets as an object of names and values."))
        else:
            removed = {name for name, value in given.items() if value in ("", None)}
            kept = {name: value for name, value in given.items() if name not in removed}
            merged = _collect(errors, lambda: _clean_values(kept, "secrets"))
            if merged is not None:
                current = _stored_secrets(account)
                current.update(merged)
                for name in removed:
                    current.pop(str(name), None)
                account.secrets = registry.encrypt_secrets(current)
    if "active" in changes:
        if not isinstance(changes["active"], bool):
            errors.add("active", _("Give true or false."))
        else:
            account.active = changes["active"]
    if stored is not None and not errors.errors:
        now = (dict(account.settings or {}), _stored_secrets(account))
        check_account_fields(errors, account.provider, now[0], now[1], stored=stored)
    errors.raise_if_any()
    account.save()
    return account


@transaction.atomic
def rotate_webhook_key(actor: Actor, *, account_id: int) -> ChannelAccount:
    """Give the account a new webhook key (admins only). The old URL answers 404 from this
    moment: the provider must be given the new one."""
    require_admin(actor)
    account = _lock_account(account_id)
    account.webhook_key = new_webhook_key()
    account.save(update_fields=["webhook_key"])
    return account


def delete_account(actor: Actor, *, account_id: int) -> None:
    """Delete an account that never received or sent anything (admins only).

    One with payloads, messages or anything else that points at it is refused (409): its
    history stays readable, and deactivating it stops its webhook just as well. Requests
    still waiting in the spool are taken in first, in their own commit: they count.
    """
    require_admin(actor)
    take_in_spool()
    _delete_unused(account_id)


@transaction.atomic
def _delete_unused(account_id: int) -> None:
    account = _lock_account(account_id)
    in_use = _("This account has received or sent messages, which are kept: deactivate it.")
    if account.payloads.exists() or account.messages.exists():
        raise Conflict(in_use)
    try:
        with transaction.atomic():
            account.delete()
    except (ProtectedError, RestrictedError):
        raise Conflict(in_use) from None


def deactivate_account(actor: Actor, *, account_id: int) -> ChannelAccount:
    """Stop an account: its webhook answers 404 from now on (admins only). Its payloads and
    messages stay."""
    return update_account(actor, account_id=account_id, changes={"active": False})


def new_webhook_key() -> str:
    return random.token_urlsafe(WEBHOOK_KEY_BYTES)


def _lock_account(account_id: int) -> ChannelAccount:
    account = ChannelAccount.objects.select_for_update().filter(pk=account_id).first()
    if account is None:
        raise NotFound(_("Channel account not found."))
    return account


def _collect[T](errors: ErrorCollector, clean: Callable[[], T]) -> T | None:
    """``clean()``, its ``Invalid`` field errors added to ``errors`` (then ``None``)."""
    try:
        return clean()
    except Invalid as error:
        errors.errors.extend(error.errors)
        return None


def _clean_name(value: object) -> str:
    if not isinstance(value, str):
        raise Invalid.field("name", _("This field is required."))
    return clean_name(value, "name", max_length=200, required=True)


def _clean_group(group_id: object) -> Group | None:
    if group_id is None:
        return None
    group = (
        Group.objects.filter(pk=group_id).first()
        if isinstance(group_id, int) and not isinstance(group_id, bool)
        else None
    )
    if group is None:
        raise Invalid.field("group_id", _("Unknown group."))
    if not group.is_active:
        raise Invalid.field("group_id", _("This group is inactive; choose an active one."))
    return group


def _clean_values(values: object, field: str) -> dict[str, str]:
    """A flat object of text values (numbers are written as text), each named and bounded."""
    if not isinstance(values, Mapping):
        raise Invalid.field(field, _("Give an object of names and values."))
    if len(values) > MAX_SETTINGS:
        raise Invalid.field(field, _("At most %(max)d entries.") % {"max": MAX_SETTINGS})
    errors = ErrorCollector()
    cleaned: dict[str, str] = {}
    for name, value in values.items():
        where = f"{field}.{str(name)[:MAX_SETTING_NAME]}"
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_SETTING_NAME:
            errors.add(where, _("A name of 1 to %(max)d characters.") % {"max": MAX_SETTING_NAME})
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            errors.add(where, _("Give text."))
            continue
        text = clean_text(str(value)).strip()
        if len(text) > MAX_SETTING_VALUE:
            errors.add(where, _("At most %(max)d characters.") % {"max": MAX_SETTING_VALUE})
            continue
        cleaned[name.strip()] = text
    errors.raise_if_any()
    return cleaned


def stored_secret_names(account: ChannelAccount) -> list[str]:
    """Which secrets the account has (their names only: the values are never shown)."""
    return sorted(_stored_secrets(account))


def _stored_secrets(account: ChannelAccount) -> dict[str, str]:
    try:
        return registry.decrypt_secrets(account.secrets)
    except (crypto.SecretUnreadable, ValueError):
        return {}  # unreadable with today's keys: replaced by what the admin gives now

"""/channel-accounts: WhatsApp numbers, Telegram bots, SMS numbers, Meta pages, phone lines
and monitors, each routed to a group. Admins only.

Secrets are write-only: accepted on create and update, never returned (``secrets_set`` names
the ones stored). ``webhook_url`` is what the provider is given; ``rotate-key`` replaces it
and the old one answers 404 at once. ``fields`` lists what each provider asks for (the same
list the settings screen builds its form from).
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal, get_args

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field, StringConstraints

from atiende.api import idempotency
from atiende.api.auth import actor
from atiende.api.schemas.accounts import PageIn
from atiende.api.schemas.common import BodyIn, Clean, Id, Name, NamedRef, Page, UpdateIn, errors
from atiende.core.permissions import require_admin
from atiende.messaging.channels import selectors, services
from atiende.messaging.channels.account_fields import PROVIDER_FIELDS
from atiende.messaging.models import ChannelAccount

router = Router(tags=["channels"])

ProviderName = Literal[
    "whatsapp",
    "messenger",
    "instagram",
    "telegram",
    "twilio_sms",
    "twilio_voice",
    "generic_pbx",
    "alertmanager",
    "zabbix",
    "nagios",
    "generic_alert",
]
FieldName = Annotated[str, StringConstraints(min_length=1, max_length=services.MAX_SETTING_NAME)]
Value = Annotated[str, Clean, StringConstraints(max_length=services.MAX_SETTING_VALUE)]
Values = Annotated[dict[FieldName, Value], Field(max_length=services.MAX_SETTINGS)]
SECRETS_HELP = 'Write-only: never returned. On update, merged: a name given "" is removed.'


class ChannelAccountOut(Schema):
    id: int
    provider: str
    name: str
    group: NamedRef | None
    active: bool
    settings: dict[str, str] = Field(description="The provider's ids: shown back.")
    secrets_set: list[str] = Field(description="The names of the secrets stored (not values).")
    webhook_url: str = Field(description="Give this URL to the provider.")
    last_received_at: datetime.datetime | None
    quarantined_count: int
    created_at: datetime.datetime

    @staticmethod
    def resolve_settings(obj: Any) -> dict[str, str]:
        stored = obj.settings if isinstance(obj.settings, dict) else {}
        return {str(k): str(v) for k, v in stored.items()}

    @staticmethod
    def resolve_secrets_set(obj: Any) -> list[str]:
        return selectors.secret_names(obj)

    @staticmethod
    def resolve_webhook_url(obj: Any) -> str:
        return selectors.webhook_url(obj)


ChannelAccountPage = Page[ChannelAccountOut]


class ChannelAccountCreateIn(BodyIn):
    """A new account. ``settings`` and ``secrets`` are the provider's (see ``GET
    /channel-accounts/fields``); a required one missing is a 422 naming it."""

    provider: ProviderName
    name: Name
    group_id: Id | None = None
    settings: Values = Field(default_factory=dict)
    secrets: Values = Field(default_factory=dict, description=SECRETS_HELP)
    active: bool = True


class ChannelAccountUpdateIn(UpdateIn):
    """Only the members sent change. ``settings`` replaces the settings; ``secrets`` is merged
    into the stored ones."""

    nullable = frozenset({"group_id"})

    name: Name | None = None
    group_id: Id | None = None
    settings: Values | None = None
    secrets: Values | None = Field(default=None, description=SECRETS_HELP)
    active: bool | None = None


class AccountFieldOut(Schema):
    name: str
    label: str
    secret: bool
    required: bool
    kind: str
    help: str


class ProviderFieldsOut(Schema):
    provider: str
    fields: list[AccountFieldOut]
    one_of: list[list[str]] = Field(description="Groups of settings of which one is needed.")


def _out(request: HttpRequest, account_id: int) -> ChannelAccount:
    return selectors.get_account(actor(request), account_id)


@router.get("/channel-accounts", response={200: ChannelAccountPage, **errors(403, 422)})
def list_accounts(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    """Channel accounts by name, with when each last received a payload and how many of its
    payloads wait in quarantine."""
    found = selectors.list_accounts(actor(request), limit=page.limit, cursor=page.cursor)
    return {"items": found.items, "next_cursor": found.next_cursor}


@router.get("/channel-accounts/fields", response={200: list[ProviderFieldsOut], **errors(403)})
def provider_fields(request: HttpRequest) -> list[dict[str, Any]]:
    """What each provider's account asks for: settings (shown back) and secrets (write-only)."""
    require_admin(actor(request))
    return [
        {
            "provider": provider,
            "fields": [
                {
                    "name": item.name,
                    "label": str(item.label),
                    "secret": item.secret,
                    "required": item.required,
                    "kind": item.kind,
                    "help": str(item.help),
                }
                for item in spec.fields
            ],
            "one_of": [list(names) for names in spec.one_of],
        }
        for provider, spec in PROVIDER_FIELDS.items()
    ]


@router.post("/channel-accounts", response={201: ChannelAccountOut, **errors(403, 422)})
def create_account(request: HttpRequest, payload: ChannelAccountCreateIn) -> HttpResponse:
    """Create an account with a fresh random webhook key."""
    caller = actor(request)

    def handler() -> tuple[int, Any]:
        account = services.create_account(caller, check_fields=True, **payload.model_dump())
        found = selectors.get_account(caller, account.pk)
        return 201, ChannelAccountOut.from_orm(found).model_dump(mode="json")

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler)


@router.get(
    "/channel-accounts/{account_id}", response={200: ChannelAccountOut, **errors(403, 404, 422)}
)
def read_account(request: HttpRequest, account_id: Id) -> ChannelAccount:
    return _out(request, account_id)


@router.patch(
    "/channel-accounts/{account_id}", response={200: ChannelAccountOut, **errors(403, 404, 422)}
)
def update_account(
    request: HttpRequest, account_id: Id, payload: ChannelAccountUpdateIn
) -> ChannelAccount:
    """Change the members given; ``active: false`` stops the webhook (404) at once."""
    services.update_account(
        actor(request),
        account_id=account_id,
        changes=payload.model_dump(exclude_unset=True),
        check_fields=True,
    )
    return _out(request, account_id)


@router.post(
    "/channel-accounts/{account_id}/rotate-key",
    response={200: ChannelAccountOut, **errors(403, 404, 422)},
)
def rotate_key(request: HttpRequest, account_id: Id) -> HttpResponse:
    """A new webhook key: the answer's ``webhook_url`` is the new one; the old URL answers 404
    from now on."""
    caller = actor(request)

    def handler() -> tuple[int, Any]:
        services.rotate_webhook_key(caller, account_id=account_id)
        found = selectors.get_account(caller, account_id)
        return 200, ChannelAccountOut.from_orm(found).model_dump(mode="json")

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler)


@router.delete("/channel-accounts/{account_id}", response={204: None, **errors(403, 404, 409, 422)})
def delete_account(request: HttpRequest, account_id: Id) -> Status[None]:
    """Delete an account that never received or sent anything; 409 for one with history
    (deactivate it with ``active: false`` instead)."""
    services.delete_account(actor(request), account_id=account_id)
    return Status(204, None)


def check_providers() -> None:
    """The API's provider names are the configurable providers (the tests call it)."""
    named = set(get_args(ProviderName))
    if named != set(PROVIDER_FIELDS):
        raise AssertionError(f"API providers {named} differ from {set(PROVIDER_FIELDS)}")

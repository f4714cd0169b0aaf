"""The write path for accounts: users, customers and their identities, groups, API tokens."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.accounts import tokens
from atiende.accounts.models import (
    ApiToken,
    Group,
    Identity,
    IdentityChannel,
    Organization,
    OrganizationDomain,
    Role,
    User,
    normalize_email,
)
from atiende.core.actor import Actor
from atiende.core.errors import Conflict, ErrorCollector, Forbidden, Invalid, NotFound, Unauthenticated
from atiende.core.text import clean_text


def require_admin(actor: Actor) -> None:
    if actor.user is not None and not (actor.user.is_active and actor.user.is_admin):
        raise Forbidden(_("Only administrators can do this."))


def require_staff(actor: Actor) -> None:
    if actor.user is not None and not (actor.user.is_active and actor.user.is_agent):
        raise Forbidden(_("Only agents can do this."))


def clean_email(email: str, field: str = "email") -> str:
    value = normalize_email(clean_text(email))
    try:
        validate_email(value)
    except ValidationError:
        raise Invalid.field(field, _("Enter a valid email address.")) from None
    assert value is not None
    return value


def organization_for_email(email: str) -> Organization | None:
    domain = email.rpartition("@")[2]
    found = OrganizationDomain.objects.filter(domain=domain).select_related("organization").first()
    return found.organization if found else None


@transaction.atomic
def find_or_create_customer(
    actor: Actor, *, email: str, name: str = "", field: str = "requester.email"
) -> User:
    """The user behind ``email``, created as an unverified customer when new.

    A new customer joins the organization that owns the email domain, which alone grants no
    sight of that organization's tickets: only signing in verifies the address.
    """
    address = clean_email(email, field)
    existing = User.objects.filter(email=address).first()
    if existing is None:
        identity = Identity.objects.filter(channel=IdentityChannel.EMAIL, value=address).first()
        existing = identity.user if identity else None
    if existing is not None:
        return existing
    if actor.user is not None and not actor.user.is_agent:
        raise Forbidden(_("Customers cannot create other users."))
    name = clean_text(name).strip()[:200]
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                address, name=name, role=Role.CUSTOMER, organization=organization_for_email(address)
            )
            Identity.objects.create(user=user, channel=IdentityChannel.EMAIL, value=address)
    except IntegrityError:
        # Someone created the same customer concurrently; theirs wins.
        return User.objects.get(email=address)
    return user


USER_FIELDS = {"name", "role", "locale", "time_zone", "is_active", "organization_id", "phone", "notes"}


@transaction.atomic
def create_user(
    actor: Actor, *, email: str, password: str | None = None, **fields: Any
) -> User:
    """Create a staff member or customer; only admins create staff."""
    role = fields.get("role", Role.CUSTOMER)
    if role in (Role.ADMIN, Role.AGENT):
        require_admin(actor)
    else:
        require_staff(actor)
    address = clean_email(email)
    if User.objects.filter(email=address).exists():
        raise Conflict(_("A user with this email already exists."), errors=[])
    errors = ErrorCollector()
    unknown = set(fields) - USER_FIELDS - {"group_ids", "custom_fields"}
    for name in sorted(unknown):
        errors.add(name, _("Unknown field."))
    if role not in Role.values:
        errors.add("role", _("Unknown role."))
    errors.raise_if_any()
    group_ids = fields.pop("group_ids", None) or []
    custom = fields.pop("custom_fields", None)
    cleaned = _clean_user_fields(fields)
    if role == Role.CUSTOMER and "organization_id" not in cleaned:
        cleaned["organization"] = organization_for_email(address)
    user = User.objects.create_user(address, password=password, **cleaned)
    if custom:
        from atiende.tickets.custom_fields import clean_custom_fields
        from atiende.tickets.models import CustomFieldTarget

        user.custom_fields = clean_custom_fields(CustomFieldTarget.USER, custom)
        user.save(update_fields=["custom_fields"])
    if group_ids:
        user.groups.set(_groups(group_ids))
    Identity.objects.get_or_create(channel=IdentityChannel.EMAIL, value=address, defaults={"user": user})
    return user


def _groups(group_ids: list[int]) -> list[Group]:
    groups = list(Group.objects.filter(pk__in=group_ids))
    if len(groups) != len(set(group_ids)):
        raise Invalid.field("group_ids", _("Unknown group."))
    return groups


def _clean_user_fields(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(fields)
    if "name" in cleaned:
        cleaned["name"] = clean_text(cleaned["name"] or "").strip()[:200]
    org_id = cleaned.get("organization_id")
    if org_id is not None and not Organization.objects.filter(pk=org_id).exists():
        raise Invalid.field("organization_id", _("Unknown organization."))
    return cleaned


def mark_email_verified(user: User) -> None:
    """Signing in proves the address: from then on organization sharing applies."""
    if user.email_verified_at is None:
        User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
        user.email_verified_at = timezone.now()
        Identity.objects.filter(user=user, channel=IdentityChannel.EMAIL, value=user.email).update(
            verified_at=user.email_verified_at
        )


@transaction.atomic
def create_api_token(actor: Actor, *, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; the plain token is returned here and never again."""
    if actor.user is not None and actor.user.pk != user.pk:
        require_admin(actor)
    name = clean_text(name).strip()[:100] or _("API token")
    plain = tokens.new_token()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=tokens.display_prefix(plain), digest=tokens.digest(plain)
    )
    return token, plain


@transaction.atomic
def revoke_api_token(actor: Actor, *, token_id: int) -> ApiToken:
    tokens_qs = ApiToken.objects.all()
    if actor.user is not None and not actor.user.is_admin:
        tokens_qs = tokens_qs.filter(user=actor.user)
    token = tokens_qs.filter(pk=token_id).first()
    if token is None:
        raise NotFound(_("Unknown token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def authenticate_token(plain: str) -> User:
    """The active user owning ``plain``; a clear reason when it is unknown or revoked."""
    token = ApiToken.objects.select_related("user").filter(digest=tokens.digest(plain)).first()
    if token is None:
        raise Unauthenticated(_("The API token is not valid."))
    if token.revoked_at is not None:
        raise Unauthenticated(_("The API token was revoked."))
    if not token.user.is_active:
        raise Unauthenticated(_("The account of this API token is suspended."))
    if tokens.needs_touch(token.last_used_at):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user

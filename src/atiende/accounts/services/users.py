"""Users: customers found or created from an address, staff created by admins, profile edits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.accounts import custom_fields as account_fields
from atiende.accounts import store
from atiende.accounts.models import Group, Identity, IdentityChannel, Organization, Role, User
from atiende.accounts.selectors import visible_users
from atiende.accounts.services.common import clean_email, organization_for_email
from atiende.accounts.services.identities import clean_identity_value
from atiende.core.actor import Actor
from atiende.core.errors import ErrorCollector, FieldError, Forbidden, Invalid, NotFound
from atiende.core.folding import fold
from atiende.core.language import detect as detect_language
from atiende.core.permissions import is_admin, require_admin, require_staff
from atiende.core.services import check_changes, clean_name, clean_phone, clean_time_zone, conflict
from atiende.core.text import clean_text

PROFILE_FIELDS = {"name", "locale", "time_zone", "phone", "notes", "organization_id"}
USER_FIELDS = PROFILE_FIELDS | {"role", "is_active", "two_factor_required"}
ALL_FIELDS = USER_FIELDS | {"email", "group_ids", "custom_fields"}
# What an agent may change on a customer, and what anyone may change on themselves. The
# organization is not among them: it decides whose tickets a customer sees, so only admins
# move a customer between organizations (a new customer joins by the email's domain).
AGENT_ON_CUSTOMER = (PROFILE_FIELDS - {"organization_id"}) | {"custom_fields"}
OWN_FIELDS = {"name", "locale", "time_zone"}
LOCALES = {"en", "es"}
NOT_CHOSEN = ""  # a locale nobody chose: the browser's language, else the instance default


def find_or_create_customer(
    actor: Actor,
    *,
    email: str,
    name: str = "",
    field: str = "requester.email",
    text: str = "",
    language: str = "",
) -> User:
    """The user behind ``email``, created as an unverified customer when new.

    A new customer speaks the language ``text`` (what they wrote) is in, else ``language``
    (a channel's default), else nothing chosen, so that mail to them follows the instance
    default: never English by accident. The detector runs only when a customer is created.

    A new customer joins the organization that owns the email domain, which alone grants no
    sight of that organization's tickets: only signing in verifies the address. The lookup runs
    outside a transaction (on SQLite a transaction takes the write lock); only a creation opens
    one, and a concurrent creation of the same customer meets the unique email (theirs wins).
    """
    address = clean_email(email, field)
    # With the organization: a new ticket records it (and answers with its name).
    existing = store.user_by_email(address)
    if existing is None:
        identity = store.identity_by_value(IdentityChannel.EMAIL, address)
        existing = identity.user if identity else None
    if existing is not None:
        return existing
    if actor.user is not None and not actor.user.is_agent:
        raise Forbidden(_("Customers cannot create other users."))
    # Every new email sender comes here: both rows through statements built once.
    user = _new_customer(
        email=address,
        name=name,
        text=text,
        language=language,
        organization=organization_for_email(address),
    )
    # Both rows or neither; no savepoint: a concurrent creation is not an error (ON CONFLICT).
    with transaction.atomic(savepoint=False):
        inserted = store.insert_customer(
            user, Identity(user=user, channel=IdentityChannel.EMAIL, value=address)
        )
    if inserted:
        return user
    return User.objects.get(email=address)  # someone created them a moment ago: theirs wins


def _new_customer(
    *,
    email: str | None,
    name: str,
    text: str,
    language: str,
    organization: Organization | None,
) -> User:
    """A new customer, not saved: no password, the language of what they wrote (detected
    here, before any write lock is taken) or the channel's."""
    name = clean_text(name).strip()[:200]
    user = User(
        email=email,
        name=name,
        folded_name=fold(name),
        role=Role.CUSTOMER,
        locale=detect_language(text) or _shipped(language),
        organization=organization,
    )
    user.set_unusable_password()
    return user


def find_or_create_customer_by_identity(
    actor: Actor,
    *,
    channel: str,
    address: str,
    name: str = "",
    text: str = "",
    language: str = "",
    field: str = "sender",
) -> User:
    """The user known by ``address`` on ``channel`` (a WhatsApp number, a Telegram chat id, a
    Messenger PSID), created as a customer with no email when new.

    The address is cleaned as ``add_identity`` cleans it (a phone number to its digits), so
    one number written two ways is one person; an address that cannot be one is ``Invalid``
    naming ``field``. A new customer speaks the language of ``text`` when it tells, else
    ``language``, else nothing chosen (see `find_or_create_customer`). A concurrent creation of
    the same identity is not an error: the other one wins and is returned.
    """
    if channel not in IdentityChannel.values:
        raise Invalid.field("channel", _("Unknown channel."))
    value = clean_identity_value(channel, address, field)
    found = store.identity_by_value(channel, value)
    if found is not None:
        return found.user
    if actor.user is not None and not actor.user.is_agent:
        raise Forbidden(_("Customers cannot create other users."))
    user = _new_customer(email=None, name=name, text=text, language=language, organization=None)
    try:
        with transaction.atomic():  # both rows or neither
            user.save()
            Identity.objects.create(user=user, channel=channel, value=value)
    except IntegrityError:
        found = store.identity_by_value(channel, value)
        if found is None:
            raise
        return found.user  # created a moment ago by another worker: theirs wins
    return user


@transaction.atomic
def create_user(actor: Actor, *, email: str, password: str | None = None, **fields: Any) -> User:
    """Create a staff member (admins only) or a customer (agents and admins)."""
    role = fields.get("role", Role.CUSTOMER)
    if role in (Role.ADMIN, Role.AGENT):
        require_admin(actor)
    else:
        require_staff(actor)
    check_changes(fields, allowed=ALL_FIELDS - {"email"}, nullable={"organization_id"})
    address = clean_email(email)
    _check_email_free(address, user=None)
    group_ids = fields.pop("group_ids", None) or []
    custom = fields.pop("custom_fields", None) or {}
    cleaned = _clean_fields(fields)
    by_domain = organization_for_email(address) if role == Role.CUSTOMER else None
    if role == Role.CUSTOMER and "organization_id" not in cleaned:
        cleaned["organization"] = by_domain
    elif cleaned.get("organization_id") != (by_domain.pk if by_domain else None):
        require_organization_mover(actor)
    if group_ids and role == Role.CUSTOMER:
        raise Invalid.field("group_ids", _("Only agents and administrators belong to groups."))
    if custom:
        cleaned["custom_fields"] = account_fields.clean("user", custom)
    try:
        with transaction.atomic():
            user = User.objects.create_user(address, password=password, **cleaned)
            Identity.objects.create(user=user, channel=IdentityChannel.EMAIL, value=address)
    except IntegrityError:
        raise conflict("email", _("A user with this email already exists.")) from None
    if group_ids:
        user.groups.set(_groups(group_ids))
    return user


@transaction.atomic
def update_user(actor: Actor, *, user_id: int, changes: dict[str, Any]) -> User:
    """Change the given fields of a user the actor can see and may edit.

    Admins may change anything; agents a customer's profile; everyone their own name,
    language and time zone. An admin cannot remove their own role or suspend themselves.
    """
    user = visible_users(actor).select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("User not found."))
    check_changes(changes, allowed=ALL_FIELDS, nullable={"organization_id"})
    _check_may_edit(actor, user, changes)
    changes = dict(changes)
    group_ids = changes.pop("group_ids", None)
    custom = changes.pop("custom_fields", None)
    updated: list[str] = []
    if "email" in changes:
        address = clean_email(changes.pop("email"))
        if address != user.email:
            _check_email_free(address, user=user)
            user.email, user.email_verified_at = address, None
            updated += ["email", "email_verified_at"]
            EmailAddress.objects.filter(user=user).delete()  # the old address signs no one in
            Identity.objects.get_or_create(
                channel=IdentityChannel.EMAIL, value=address, defaults={"user": user}
            )
    for name, value in _clean_fields(changes).items():
        setattr(user, name, value)
        updated.append("organization" if name == "organization_id" else name)
    if custom is not None:
        user.custom_fields = account_fields.clean("user", custom, current=user.custom_fields)
        updated.append("custom_fields")
    if group_ids is not None and user.is_customer:
        raise Invalid.field("group_ids", _("Only agents and administrators belong to groups."))
    if updated:
        user.save(update_fields=[*updated, "updated_at"])
    if group_ids is not None:
        user.groups.set(_groups(group_ids))
    elif "role" in changes and user.is_customer:
        user.groups.clear()
    return user


def require_organization_mover(actor: Actor) -> None:
    """Only admins place a customer in an organization other than their email domain's."""
    if not is_admin(actor):
        raise Forbidden(
            _("Only an administrator can change a customer's organization."),
            errors=[FieldError("organization_id", _("Only an administrator can change this."))],
        )


def _check_may_edit(actor: Actor, user: User, changes: dict[str, Any]) -> None:
    if is_admin(actor):
        if actor.user is not None and actor.user.pk == user.pk:
            errors = ErrorCollector()
            if changes.get("role", Role.ADMIN) != Role.ADMIN:
                errors.add("role", _("You cannot change your own role."))
            if changes.get("is_active", True) is not True:
                errors.add("is_active", _("You cannot suspend yourself."))
            errors.raise_if_any()
        return
    assert actor.user is not None
    allowed: set[str] = set()
    if actor.user.is_agent and actor.user.is_active and user.is_customer:
        allowed |= AGENT_ON_CUSTOMER
    if actor.user.pk == user.pk:
        allowed |= OWN_FIELDS
    refused = sorted(set(changes) - allowed)
    if refused:
        raise Forbidden(
            _("You may not change: %(fields)s.") % {"fields": ", ".join(refused)},
            errors=[FieldError(name, _("Not allowed.")) for name in refused],
        )


def _check_email_free(address: str, *, user: User | None) -> None:
    others = User.objects.filter(email=address)
    identities = Identity.objects.filter(channel=IdentityChannel.EMAIL, value=address)
    if user is not None:
        others, identities = others.exclude(pk=user.pk), identities.exclude(user=user)
    if others.exists() or identities.exists():
        raise conflict("email", _("A user with this email already exists."))


def _groups(group_ids: Iterable[int]) -> list[Group]:
    wanted = set(group_ids)
    groups = list(Group.objects.filter(pk__in=wanted))
    missing = sorted(wanted - {g.pk for g in groups})
    if missing:
        raise Invalid.field(
            "group_ids",
            _("Unknown groups: %(ids)s.") % {"ids": ", ".join(str(pk) for pk in missing)},
        )
    return groups


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Check the plain profile fields; every bad one is reported at once. A name comes with
    its folded copy (``folded_name``), which search compares."""
    errors = ErrorCollector()
    cleaned: dict[str, Any] = {}
    for name, value in fields.items():
        try:
            cleaned[name] = _clean_field(name, value)
        except Invalid as exc:
            errors.errors.extend(exc.errors)
    errors.raise_if_any()
    if "name" in cleaned:
        cleaned["folded_name"] = fold(cleaned["name"])
    return cleaned


def _clean_field(name: str, value: Any) -> Any:
    if name == "name":
        return clean_name(value or "", name, max_length=200, required=False)
    if name == "role" and value not in Role.values:
        raise Invalid.field(name, _("Unknown role."))
    if name == "locale" and value not in (*LOCALES, NOT_CHOSEN):
        raise Invalid.field(name, _("Choose en or es."))
    if name == "time_zone":
        return clean_time_zone(value)
    if name == "phone":
        return clean_phone(value, name) if clean_text(value).strip() else ""
    if name == "notes":
        return clean_text(value)
    if name in ("is_active", "two_factor_required") and not isinstance(value, bool):
        raise Invalid.field(name, _("Expected true or false."))
    if (
        name == "organization_id"
        and value is not None
        and not Organization.objects.filter(pk=value).exists()
    ):
        raise Invalid.field(name, _("Unknown organization."))
    return value


def _shipped(language: str) -> str:
    return language if language in LOCALES else NOT_CHOSEN


def mark_email_verified(user: User) -> None:
    """The person proved the address: from then on organization sharing applies.

    Our user is the one source of truth (``email_verified_at`` and the email identity's
    ``verified_at``); allauth's ``EmailAddress`` row for the sign-in email mirrors it, so that
    allauth's pages and flows agree. Written only here and in ``update_user``.
    """
    if user.email_verified_at is None:
        now = timezone.now()
        User.objects.filter(pk=user.pk).update(email_verified_at=now)
        user.email_verified_at = now
        Identity.objects.filter(user=user, channel=IdentityChannel.EMAIL, value=user.email).update(
            verified_at=now
        )
    if user.email:
        mirror_sign_in_address(user)


def mirror_sign_in_address(user: User) -> EmailAddress | None:
    """allauth's row for the user's sign-in email, verified as our user says; no other rows.

    An address the user no longer has must never sign them in (by code) or be reset.
    """
    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email or "").delete()
    if not user.email:
        return None
    verified = user.email_verified_at is not None
    address, _created = EmailAddress.objects.update_or_create(
        user=user,
        email__iexact=user.email,
        defaults={"email": user.email, "verified": verified, "primary": True},
    )
    return address

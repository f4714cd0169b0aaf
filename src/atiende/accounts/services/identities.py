"""Identities: the addresses by which a person is recognised on each channel."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from atiende.accounts.models import Identity, IdentityChannel, User
from atiende.accounts.selectors import get_user
from atiende.accounts.services.common import clean_email
from atiende.core.actor import Actor
from atiende.core.errors import Conflict, Forbidden, Invalid, NotFound
from atiende.core.permissions import is_admin
from atiende.core.services import clean_phone, conflict
from atiende.core.text import clean_text

PHONE_CHANNELS = {IdentityChannel.PHONE, IdentityChannel.WHATSAPP, IdentityChannel.SMS}
MAX_VALUE = 254


def clean_identity_value(channel: str, value: str, field: str = "value") -> str:
    """An email for email, a phone number (digits only) for phone-like channels, else a handle."""
    if channel == IdentityChannel.EMAIL:
        return clean_email(value, field)
    if channel == IdentityChannel.WHATSAPP:
        # A WhatsApp id is always the full international number, which Meta sends without
        # "+" and people type with it: one form, or one person becomes two customers.
        return "+" + clean_phone(value, field, normalize=True).lstrip("+")
    if channel in PHONE_CHANNELS:
        return clean_phone(value, field, normalize=True)
    text = clean_text(value).strip()
    if (
        not text
        or len(text) > MAX_VALUE
        or not text.isprintable()
        or any(c.isspace() for c in text)
    ):
        raise Invalid.field(
            field,
            _("Enter a handle of 1 to %(max)d characters without spaces.") % {"max": MAX_VALUE},
        )
    return text


def require_identity_editor(actor: Actor, user: User) -> None:
    """Admins manage anyone's identities, agents their own and customers'."""
    if is_admin(actor):
        return
    assert actor.user is not None
    if not (actor.user.is_agent and (user.is_customer or user.pk == actor.user.pk)):
        raise Forbidden(_("You may not change this user's identities."))


@transaction.atomic
def add_identity(actor: Actor, *, user_id: int, channel: str, value: str) -> Identity:
    user = get_user(actor, user_id)
    require_identity_editor(actor, user)
    if channel not in IdentityChannel.values:
        raise Invalid.field("channel", _("Unknown channel."))
    address = clean_identity_value(channel, value)
    taken = _("This address is already known on this channel.")
    if Identity.objects.filter(channel=channel, value=address).exists():
        raise conflict("value", taken)
    try:
        with transaction.atomic():
            return Identity.objects.create(user=user, channel=channel, value=address)
    except IntegrityError:
        raise conflict("value", taken) from None


@transaction.atomic
def remove_identity(actor: Actor, *, user_id: int, identity_id: int) -> None:
    """Forget an address; the user's sign-in email stays while it is their email."""
    user = get_user(actor, user_id)
    identity = Identity.objects.select_for_update().filter(pk=identity_id, user=user).first()
    if identity is None:
        raise NotFound(_("Identity not found."))
    require_identity_editor(actor, user)
    if identity.channel == IdentityChannel.EMAIL and identity.value == user.email:
        raise Conflict(_("This is the user's sign-in email; change the email first."))
    identity.delete()

"""Personal API tokens: issued to staff, shown once, revoked rather than deleted."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.accounts import store, tokens
from atiende.accounts.models import ApiToken, User
from atiende.accounts.selectors import get_user, visible_tokens
from atiende.core.actor import Actor
from atiende.core.errors import Invalid, NotFound, Unauthenticated
from atiende.core.permissions import require_admin, require_staff
from atiende.core.services import clean_name


@transaction.atomic
def create_api_token(actor: Actor, *, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; the plain token is returned here and never again."""
    if actor.user is not None and actor.user.pk != user.pk:
        require_admin(actor)
    name = clean_name(name, "name", max_length=100, required=False) or _("API token")
    plain = tokens.new_token()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=tokens.display_prefix(plain), digest=tokens.digest(plain)
    )
    return token, plain


@transaction.atomic
def issue_api_token(actor: Actor, *, name: str, user_id: int | None = None) -> tuple[ApiToken, str]:
    """A token for the actor, or (admins only) for another active user.

    Only staff issue tokens: a customer's token, where one is needed, comes from an admin.
    """
    require_staff(actor)
    if user_id is None or (actor.user is not None and user_id == actor.user.pk):
        if actor.user is None:
            raise Invalid.field("user_id", _("Name the user the token is for."))
        return create_api_token(actor, user=actor.user, name=name)
    require_admin(actor)
    user = get_user(actor, user_id, field="user_id")
    if not user.is_active:
        raise Invalid.field("user_id", _("The user is suspended."))
    return create_api_token(actor, user=user, name=name)


@transaction.atomic
def revoke_api_token(actor: Actor, *, token_id: int) -> ApiToken:
    """Revoke a token the actor can see; revoking twice is harmless."""
    token = visible_tokens(actor).select_for_update().filter(pk=token_id).first()
    if token is None:
        raise NotFound(_("Unknown token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def authenticate_token(plain: str) -> User:
    """The active user owning ``plain``; a clear reason when it is unknown or revoked."""
    token = store.token_by_digest(tokens.digest(plain))
    if token is None:
        raise Unauthenticated(_("The API token is not valid."))
    if token.revoked_at is not None:
        raise Unauthenticated(_("The API token was revoked."))
    if not token.user.is_active:
        raise Unauthenticated(_("The account of this API token is suspended."))
    if tokens.needs_touch(token.last_used_at):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user

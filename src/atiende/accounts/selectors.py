"""Reads of people: who a caller may look up."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from atiende.accounts.models import User
from atiende.core.actor import Actor
from atiende.core.errors import Invalid, NotFound


def visible_users(actor: Actor) -> QuerySet[User]:
    """Staff see everyone; customers see only themselves."""
    users = User.objects.all()
    if actor.user is None or actor.user.is_agent:
        return users
    return users.filter(pk=actor.user.pk)


def get_user(actor: Actor, user_id: int, *, field: str | None = None) -> User:
    """A visible user; with ``field`` an unknown id is a field error (422) instead of a 404."""
    user = visible_users(actor).filter(pk=user_id).first()
    if user is None:
        if field:
            raise Invalid.field(field, _("Unknown user."))
        raise NotFound(_("User not found."))
    return user

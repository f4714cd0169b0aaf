"""A group's assignment settings: the only writer of ``GroupAssignment``."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from atiende.accounts.models import Group
from atiende.automation.models import GroupAssignment, Strategy
from atiende.automation.models.assignment import FALLBACKS
from atiende.core.actor import Actor
from atiende.core.errors import ErrorCollector, Invalid
from atiende.core.permissions import require_admin


def group_config(group_id: int) -> GroupAssignment | None:
    """The group's settings, or None (manual: nobody assigns automatically)."""
    return GroupAssignment.objects.filter(pk=group_id).first()


@transaction.atomic
def configure_assignment(
    actor: Actor,
    *,
    group_id: int,
    strategy: str,
    fallback: str | None = None,
    match_language: bool | None = None,
) -> GroupAssignment:
    """Set how ``group_id`` assigns its tickets; administrators only, all checked first."""
    require_admin(actor)
    errors = ErrorCollector()
    if strategy not in Strategy.values:
        errors.add("strategy", _("Unknown strategy “%(value)s”.") % {"value": strategy})
    if fallback is not None and fallback not in FALLBACKS:
        errors.add(
            "fallback",
            _("The fallback must be round robin, fewest open tickets or skills."),
        )
    if match_language is not None and not isinstance(match_language, bool):
        errors.add("match_language", _("Give true or false."))
    errors.raise_if_any()
    if not Group.objects.filter(pk=group_id, is_active=True).exists():
        raise Invalid.field("group_id", _("Unknown group."))
    config, _created = GroupAssignment.objects.select_for_update().get_or_create(pk=group_id)
    config.strategy = strategy
    if fallback is not None:
        config.fallback = fallback
    if match_language is not None:
        config.match_language = match_language
    config.save()
    return config

"""The one sentence that says what a notification is about, in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from atiende.notifications.models import Kind


def describe(kind: str, *, actor: str, number: int, text: str = "") -> str:
    """E.g. "Ana assigned #42 to you"; call inside ``translation.override`` for a recipient.

    A rule's notification says what the rule's author wrote (``text``)."""
    values = {"actor": actor, "number": number}
    if kind == Kind.RULE and text:
        return f"#{number}: {text}"
    if kind == Kind.ASSIGNED:
        if actor:
            return _("%(actor)s assigned #%(number)s to you") % values
        return _("#%(number)s was assigned to you") % values
    if kind == Kind.MENTIONED:
        return _("%(actor)s mentioned you on #%(number)s") % values
    if kind == Kind.CUSTOMER_REPLIED:
        return _("%(actor)s replied on #%(number)s") % values
    if kind == Kind.SLA_WARNING:
        return _("#%(number)s is close to missing its service level") % values
    return _("Update on #%(number)s") % values

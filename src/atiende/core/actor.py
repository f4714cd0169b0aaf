"""Who is acting, and through which door: every service call starts with an ``Actor``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from atiende.accounts.models import User


class Source(StrEnum):
    WEB = "web"
    API = "api"
    CHANNEL = "channel"
    RULE = "rule"
    SYSTEM = "system"

    @property
    def label(self) -> str:
        return str(SOURCE_LABELS[self])


SOURCE_LABELS = {
    Source.WEB: _("Web"),
    Source.API: _("API"),
    Source.CHANNEL: _("Channel"),
    Source.RULE: _("Rule"),
    Source.SYSTEM: _("System"),
}


@dataclass(frozen=True)
class Actor:
    """A user (or the system itself, ``user=None``) acting through a source.

    ``detail`` names the rule, channel or job when the source needs one, for the audit trail.
    """

    user: User | None
    source: Source
    detail: str = ""

    @classmethod
    def system(cls, detail: str = "") -> Actor:
        return cls(user=None, source=Source.SYSTEM, detail=detail)

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    @property
    def is_system(self) -> bool:
        return self.user is None

"""An alert account's settings as the alert intake reads them, and what one payload's alerts
did (the payload's reason). Apart from `alerts` to keep that module to the flow."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import ngettext

from atiende.messaging.models import ChannelAccount

DEFAULT_FLOOD_THRESHOLD = 20
DEFAULT_FLOOD_WINDOW_MINUTES = 5
MAX_SETTING_NUMBER = 100_000
FALSE_WORDS = frozenset({"false", "no", "0", "off"})
MAX_KEYS_IN_REASON = 5


@dataclass(frozen=True)
class AlertSettings:
    """An alert account's settings (text in ``ChannelAccount.settings``); anything missing or
    unreadable is the default, so that a typo never stops alerts."""

    solve_on_recovery: bool = True
    flood_threshold: int = DEFAULT_FLOOD_THRESHOLD
    flood_window_minutes: int = DEFAULT_FLOOD_WINDOW_MINUTES

    @classmethod
    def of(cls, account: ChannelAccount) -> AlertSettings:
        values = account.settings if isinstance(account.settings, dict) else {}
        solve = str(values.get("solve_on_recovery", "")).strip().lower()
        return cls(
            solve_on_recovery=solve not in FALSE_WORDS,
            flood_threshold=_number(values.get("flood_threshold"), DEFAULT_FLOOD_THRESHOLD),
            flood_window_minutes=_number(
                values.get("flood_window_minutes"), DEFAULT_FLOOD_WINDOW_MINUTES
            ),
        )


def _number(value: object, default: int) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        return default
    return number if 1 <= number <= MAX_SETTING_NUMBER else default


@dataclass
class AlertReport:
    """What one payload's alerts did, for the payload's reason."""

    opened: int = 0
    folded: int = 0
    flooded: int = 0
    recovered: int = 0
    repeated: int = 0
    unknown: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.opened + self.folded + self.flooded + self.recovered

    def reason(self) -> str:
        parts: list[str] = []
        counted = (
            (
                self.opened,
                ngettext(
                    "%(n)d alert opened a ticket.", "%(n)d alerts opened tickets.", self.opened
                ),
            ),
            (
                self.folded,
                ngettext(
                    "%(n)d alert fired again on its open ticket.",
                    "%(n)d alerts fired again on their open tickets.",
                    self.folded,
                ),
            ),
            (
                self.flooded,
                ngettext(
                    "%(n)d new alert was noted on the flood ticket.",
                    "%(n)d new alerts were noted on the flood ticket.",
                    self.flooded,
                ),
            ),
            (
                self.recovered,
                ngettext("%(n)d alert recovered.", "%(n)d alerts recovered.", self.recovered),
            ),
            (
                self.repeated,
                ngettext(
                    "%(n)d alert had already been recorded.",
                    "%(n)d alerts had already been recorded.",
                    self.repeated,
                ),
            ),
        )
        parts.extend(text % {"n": n} for n, text in counted if n)
        if self.unknown:
            keys = ", ".join(self.unknown[:MAX_KEYS_IN_REASON])
            if len(self.unknown) > MAX_KEYS_IN_REASON:
                keys += ", …"
            parts.append(
                ngettext(
                    "%(n)d recovery was ignored: no open ticket has its alert (%(keys)s).",
                    "%(n)d recoveries were ignored: no open ticket has their alerts (%(keys)s).",
                    len(self.unknown),
                )
                % {"n": len(self.unknown), "keys": keys}
            )
        return " ".join(parts)

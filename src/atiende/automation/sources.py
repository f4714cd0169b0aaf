"""Names of what acts on tickets by itself, for the ticket history ("Rule “VIP priority” set
priority to High"): the actor detail of each automatic change names its kind and id
(``rule:<id>``, ``timed:<id>``, ``sla:<policy id>``, ``assignment:<group id>``,
``macro:<id>``, ``chat-bot:<widget id>``); this reads their current names, one query per kind,
never per entry."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Model

from atiende.accounts.models import Group
from atiende.automation.models import Macro, TimedRule, Trigger
from atiende.messaging.models import ChatWidget
from atiende.sla.models import SlaPolicy

KINDS: dict[str, type[Model]] = {
    "rule": Trigger,
    "timed": TimedRule,
    "sla": SlaPolicy,
    "assignment": Group,
    "macro": Macro,
    "chat-bot": ChatWidget,
}


def parse(detail: str) -> tuple[str, int] | None:
    """(kind, id) of a detail such as ``rule:12``; ``None`` for anything else."""
    kind, _, raw = detail.partition(":")
    if kind not in KINDS or not raw.isdecimal() or len(raw) > 18:
        return None
    return kind, int(raw)


def source_names(details: Iterable[str]) -> dict[str, str]:
    """The current name of each rule, policy, group or macro the details name, by detail
    (``"rule:12"``); a deleted one is missing from the result."""
    wanted: dict[str, set[int]] = {}
    for detail in details:
        parsed = parse(detail)
        if parsed is not None:
            wanted.setdefault(parsed[0], set()).add(parsed[1])
    names: dict[str, str] = {}
    for kind, ids in sorted(wanted.items()):
        rows = KINDS[kind]._default_manager.filter(pk__in=sorted(ids)).values_list("pk", "name")
        names.update({f"{kind}:{pk}": str(name) for pk, name in rows})
    return names

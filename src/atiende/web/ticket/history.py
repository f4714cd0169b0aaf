"""A ticket's audit events told in words for the timeline ("Ana changed priority from High to
Urgent", "Rule “VIP” assigned group Support").

Values come from the snapshots ``tickets.audit`` stores (``{"id", "name"}`` for records, plain
values otherwise), so a renamed or deleted record still reads as it was. The result is plain
text; templates escape it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from atiende.automation.sources import parse as sources_parse
from atiende.core.actor import Source
from atiende.messaging.models import ChannelProvider
from atiende.sla.models import TargetKind
from atiende.tickets.models import Channel, LinkKind, TicketEvent, TicketType

OUT_OF_OFFICE = "assignment:out-of-office"


def format_duration(seconds: int) -> str:
    """``1 h 05 min``, ``25 min``, ``40 s``: short and unambiguous."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if hours:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)d min") % {"m": minutes}
    return _("%(s)d s") % {"s": seconds}


def automatic(detail: str, sources: Mapping[str, str]) -> str | None:
    """What acted by itself, by its actor detail (``rule:12``, ``sla:3``…) and the names
    ``automation.sources.source_names`` read for the page; ``None`` if the detail names none."""
    parsed = sources_parse(detail)
    if parsed is None:
        return None
    kind, pk = parsed
    name = sources.get(detail)
    if name is None:
        return DELETED[kind]() % {"id": pk}
    return NAMED[kind]() % {"name": name}


NAMED = {
    "rule": lambda: _("Rule “%(name)s”"),
    "timed": lambda: _("Automation “%(name)s”"),
    "sla": lambda: _("SLA policy “%(name)s”"),
    "assignment": lambda: _("Assignment in group “%(name)s”"),
    "macro": lambda: _("Macro “%(name)s”"),
    "chat-bot": lambda: _("The chat bot of “%(name)s”"),
}
DELETED = {
    "rule": lambda: _("deleted rule #%(id)d"),
    "timed": lambda: _("deleted automation #%(id)d"),
    "sla": lambda: _("deleted SLA policy #%(id)d"),
    "assignment": lambda: _("assignment in deleted group #%(id)d"),
    "macro": lambda: _("deleted macro #%(id)d"),
    "chat-bot": lambda: _("the chat bot of deleted widget #%(id)d"),
}


def who(event: TicketEvent, sources: Mapping[str, str] | None = None) -> str:
    """The actor as a reader needs it: a person, a rule (by its name when ``sources`` has it),
    a channel or the system."""
    detail = event.source_detail
    person = event.actor.display_name if event.actor is not None else ""
    # Without ``sources`` (names not read for this caller) a rule reads as before.
    named = automatic(detail, sources) if detail and sources is not None else None
    if named is not None and person:  # a macro an agent applied
        return _("%(source)s applied by %(name)s") % {"source": named, "name": person}
    if named is not None:
        return named
    if event.source == Source.RULE:
        if detail == OUT_OF_OFFICE:
            return _("Out-of-office handover")
        return _("Rule “%(name)s”") % {"name": detail} if detail else _("A rule")
    if event.source == Source.CHANNEL:
        if person and detail:
            return _("%(name)s via %(channel)s") % {"name": person, "channel": channel_name(detail)}
        if person:
            return person
        return _("Channel %(name)s") % {"name": channel_name(detail)} if detail else _("A channel")
    if event.source == Source.API and person:
        return _("%(name)s via the API") % {"name": person}
    if person:
        return person
    return _("System (%(detail)s)") % {"detail": detail} if detail else _("System")


def channel_name(detail: str) -> str:
    """A channel actor's detail as a reader names it: ``whatsapp`` → "WhatsApp",
    ``telegram:2`` → "Telegram", ``twilio_sms:4`` → "SMS through Twilio", ``email:soporte@…``
    → "Email soporte@…"; a detail of no known channel as stored."""
    kind, _colon, rest = detail.partition(":")
    if kind in Channel.values:
        name = str(Channel(kind).label)
    elif kind in ChannelProvider.values:
        name = str(ChannelProvider(kind).label)
    else:
        return detail
    return f"{name} {rest}" if kind == Channel.EMAIL and rest else name


# In a sentence ("Ana changed priority from …"): the context lets a language add what its
# grammar needs there ("Ana cambió la prioridad de …") without changing the plain labels.
FIELD_LABELS = {
    "subject": lambda: pgettext("history field", "subject"),
    "status": lambda: pgettext("history field", "status"),
    "priority": lambda: pgettext("history field", "priority"),
    "type": lambda: pgettext("history field", "type"),
    "group": lambda: pgettext("history field", "group"),
    "assignee": lambda: pgettext("history field", "assignee"),
    "category": lambda: pgettext("history field", "category"),
    "requester": lambda: pgettext("history field", "requester"),
    "organization": lambda: pgettext("history field", "organization"),
    "tags": lambda: pgettext("history field", "tags"),
    "resolution": lambda: pgettext("history field", "resolution"),
}


def field_label(field: str, custom_names: Mapping[str, str]) -> str:
    if field.startswith("custom_fields."):
        key = field.split(".", 1)[1]
        return pgettext("history field", "field “%(name)s”") % {"name": custom_names.get(key, key)}
    label = FIELD_LABELS.get(field)
    return label() if label else field


def value_text(field: str, value: Any, names: Mapping[str, str] | None = None) -> str:
    """One snapshot value as words; statuses and priorities in the reader's language when
    ``names`` knows their key (``"status:open"``), else as they were named when written."""
    if value is None or value == "" or value == []:
        return _("(empty)")
    if isinstance(value, dict):
        known = names or {}
        current = known.get(f"{field}:{value.get('key')}") or known.get(
            f"{field}#{value.get('id')}"
        )
        if current:
            return current
        if "number" in value and "name" not in value:
            return f"#{value['number']}"
        return str(value.get("name", value.get("id", "")))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(value_text(field, v) for v in value)
    if field == "type" and value in TicketType.values:
        return str(TicketType(value).label)
    return str(value)


def describe(
    event: TicketEvent,
    custom_names: Mapping[str, str] | None = None,
    value_names: Mapping[str, str] | None = None,
    sources: Mapping[str, str] | None = None,
) -> str:
    """One sentence for one event; ``custom_names`` names custom fields by key,
    ``value_names`` statuses and priorities by ``"<field>:<key>"``, ``sources`` the rules,
    policies, groups and macros behind automatic changes by actor detail."""
    names = custom_names or {}
    actor = who(event, sources)
    action, field = event.action, event.field
    old, new = event.old_value, event.new_value
    if action == "created":
        return _("%(who)s created the ticket") % {"who": actor}
    if action == "updated":
        return _describe_update(actor, field, old, new, names, value_names or {})
    if action == "merged" and field == "merged_into":
        return _("%(who)s merged this ticket into %(target)s") % {
            "who": actor,
            "target": value_text(field, new),
        }
    if action == "merged" and field == "merged_from":
        data = new if isinstance(new, dict) else {}
        count = int(data.get("messages") or 0)
        return ngettext(
            "%(who)s merged ticket #%(number)s into this one (%(count)d message)",
            "%(who)s merged ticket #%(number)s into this one (%(count)d messages)",
            count,
        ) % {"who": actor, "number": data.get("number", "?"), "count": count}
    if action == "linked":
        data = new if isinstance(new, dict) else {}
        return _("%(who)s linked ticket #%(number)s (%(kind)s)") % {
            "who": actor,
            "number": data.get("number", "?"),
            "kind": _kind(data.get("kind")),
        }
    if action == "unlinked":
        data = old if isinstance(old, dict) else {}
        return _("%(who)s removed a link (%(kind)s)") % {
            "who": actor,
            "kind": _kind(data.get("kind")),
        }
    if action == "time_logged":
        data = new if isinstance(new, dict) else {}
        spent = format_duration(int(data.get("seconds") or 0))
        if data.get("note"):
            return _("%(who)s logged %(time)s: %(note)s") % {
                "who": actor,
                "time": spent,
                "note": data["note"],
            }
        return _("%(who)s logged %(time)s") % {"who": actor, "time": spent}
    if action == "timer_started":
        return _("%(who)s started a timer") % {"who": actor}
    if action in SLA_ACTIONS:
        return describe_sla(action, field, new)
    return _("%(who)s: %(action)s %(field)s") % {"who": actor, "action": action, "field": field}


SLA_ACTIONS = frozenset({"sla_warning", "sla_breached", "sla_escalated", "sla_escalation_skipped"})


def describe_sla(action: str, target: str, details: Any) -> str:
    """An SLA step the sweep recorded: the target, the step and the policy that set it."""
    data = details if isinstance(details, dict) else {}
    policy = data.get("policy") if isinstance(data.get("policy"), dict) else {}
    values = {
        "target": str(TargetKind(target).label) if target in TargetKind.values else target,
        "policy": str((policy or {}).get("name", "")),
        "level": int(data.get("level") or 0),
    }
    if action == "sla_warning":
        return _("%(target)s target is about to be breached (policy “%(policy)s”)") % values
    if action == "sla_breached":
        return _("%(target)s target breached (policy “%(policy)s”)") % values
    if action == "sla_escalated":
        return _("%(target)s target escalated to level %(level)d (policy “%(policy)s”)") % values
    return (
        _(
            "%(target)s escalation level %(level)d skipped: its group no longer exists "
            "(policy “%(policy)s”)"
        )
        % values
    )


def _kind(kind: Any) -> str:
    return str(LinkKind(kind).label) if kind in LinkKind.values else str(kind or "")


def _describe_update(
    actor: str,
    field: str,
    old: Any,
    new: Any,
    names: Mapping[str, str],
    value_names: Mapping[str, str],
) -> str:
    label = field_label(field, names)
    if field == "tags":
        before = set(old) if isinstance(old, list) else set()
        after = set(new) if isinstance(new, list) else set()
        added, removed = sorted(after - before), sorted(before - after)
        if added and removed:
            return _("%(who)s added tags %(added)s and removed %(removed)s") % {
                "who": actor,
                "added": ", ".join(added),
                "removed": ", ".join(removed),
            }
        if added:
            return ngettext(
                "%(who)s added tag %(tags)s", "%(who)s added tags %(tags)s", len(added)
            ) % {"who": actor, "tags": ", ".join(added)}
        return ngettext(
            "%(who)s removed tag %(tags)s", "%(who)s removed tags %(tags)s", len(removed)
        ) % {"who": actor, "tags": ", ".join(removed)}
    if field == "group":
        if new is None:
            return _("%(who)s removed group %(old)s") % {
                "who": actor,
                "old": value_text(field, old),
            }
        return _("%(who)s assigned group %(new)s") % {"who": actor, "new": value_text(field, new)}
    if field == "assignee":
        if new is None:
            return _("%(who)s unassigned %(old)s") % {"who": actor, "old": value_text(field, old)}
        return _("%(who)s assigned the ticket to %(new)s") % {
            "who": actor,
            "new": value_text(field, new),
        }
    if field == "resolution":
        return _("%(who)s changed the resolution") % {"who": actor}
    if old is None or old == "" or old == []:
        return _("%(who)s set %(field)s to %(new)s") % {
            "who": actor,
            "field": label,
            "new": value_text(field, new, value_names),
        }
    if new is None or new == "" or new == []:
        return _("%(who)s cleared %(field)s (was %(old)s)") % {
            "who": actor,
            "field": label,
            "old": value_text(field, old, value_names),
        }
    return _("%(who)s changed %(field)s from %(old)s to %(new)s") % {
        "who": actor,
        "field": label,
        "old": value_text(field, old, value_names),
        "new": value_text(field, new, value_names),
    }

"""Opening a ticket: the first write of every conversation, whatever the channel."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.accounts.models import User
from atiende.core.actor import Actor, Source
from atiende.core.errors import ErrorCollector, FieldError, Forbidden
from atiende.core.event_types import TicketCreated
from atiende.core.events import publish
from atiende.core.text import clean_text
from atiende.tickets import audit, store, tally
from atiende.tickets.custom_fields import clean_custom_fields
from atiende.tickets.models import Channel, CustomFieldTarget, Ticket, TicketEvent, TicketType
from atiende.tickets.services import common
from atiende.tickets.services.common import MAX_SUBJECT
from atiende.tickets.services.messages import build_message, claim_attachments
from atiende.tickets.services.updates import apply_changes

# The fields rules may set on a ticket being opened, before its first write (``Opening``).
OPENING_FIELDS = frozenset({"priority", "type", "category_id"})
# What a customer may not choose when opening a ticket unless the form they fill in allows it
# (``customer_may_set``): these route, rank and label the ticket for the team.
CUSTOMER_CHOICES = ("priority", "tags", "custom_fields", "channel", "type", "category_id")


def open_ticket(
    actor: Actor,
    *,
    subject: str,
    body: str,
    requester: User,
    body_html: str = "",
    public: bool = True,
    channel: str | None = None,
    priority: str | None = None,
    status: str | None = None,
    type: str | None = None,
    group_id: int | None = None,
    assignee_id: int | None = None,
    category_id: int | None = None,
    tags: Sequence[str] = (),
    custom_fields: dict[str, Any] | None = None,
    attachment_ids: Sequence[int] = (),
    external_id: str = "",
    customer_may_set: Collection[str] = (),
) -> Ticket:
    """Create a ticket with its first message and record who opened it, from where.

    Customers may open tickets only for themselves, and cannot set routing fields, nor the
    fields of ``CUSTOMER_CHOICES`` that the form they use does not allow (``customer_may_set``;
    the API has no form, so none). An unset ``channel`` is the entry point's (the API's or the
    web's), an unset ``type`` a question. Everything
    is validated and built first; the transaction holds only the writes (on SQLite it holds
    the database's one write lock, so its length bounds how many tickets open per second).
    """
    user = actor.user
    if user is not None and not user.is_agent:
        if requester.pk != user.pk:
            raise Forbidden(_("Customers can open tickets only for themselves."))
        if any(v is not None for v in (status, group_id, assignee_id)) or not public:
            raise Forbidden(_("Customers cannot set the status, group, assignee or notes."))
        given = {
            "priority": priority,
            "tags": tags,
            "custom_fields": custom_fields,
            "channel": channel,
            "type": type,
            "category_id": category_id,
        }
        check_customer_choices(given, allowed=customer_may_set)
    channel = channel or (Channel.API if actor.source == Source.API else Channel.WEB)
    type = type or TicketType.QUESTION

    errors = ErrorCollector()
    subject = " ".join(clean_text(subject).split())
    if not subject:
        errors.add("subject", _("The subject cannot be empty."))
    elif len(subject) > MAX_SUBJECT:
        errors.add(
            "subject", _("The subject is longer than %(max)d characters.") % {"max": MAX_SUBJECT}
        )
    if not clean_text(body).strip() and not clean_text(body_html).strip():
        errors.add("body", _("The message cannot be empty."))
    if channel not in Channel.values:
        errors.add("channel", _("Unknown channel."))
    if type not in TicketType.values:
        errors.add("type", _("Unknown ticket type."))
    if not requester.is_active:
        errors.add("requester", _("The requester is suspended."))
    errors.raise_if_any()

    group = common.resolve_group(group_id) if group_id is not None else None
    ticket = Ticket(
        subject=subject,
        requester=requester,
        organization_id=requester.organization_id,
        group=group,
        assignee=common.resolve_assignee(assignee_id, group) if assignee_id is not None else None,
        status=common.resolve_status(status) if status else common.default_status(),
        priority=common.resolve_priority(priority) if priority else common.default_priority(),
        type=type,
        channel=channel,
        category=common.resolve_category(category_id) if category_id is not None else None,
        custom_fields=clean_custom_fields(CustomFieldTarget.TICKET, custom_fields or {}),
    )
    if User.organization.is_cached(requester):
        ticket.organization = requester.organization  # in memory for whoever reads it next
    tag_objects = common.resolve_tags(tags)
    message = build_message(
        ticket,
        author=requester if public else user,
        body=body,
        body_html=body_html,
        public=public,
        channel=channel,
        attachment_count=len(attachment_ids),
        external_id=external_id,
    )
    ticket.language = message.language
    opening = Opening(ticket, message.body_text, tuple(sorted(t.name for t in tag_objects)), actor)
    for rules in _opening_rules:
        rules(opening)
    with transaction.atomic(), tally.deferred():
        ticket.number = store.next_ticket_number()
        ticket.last_message_at = timezone.now()
        store.insert_ticket(ticket)
        tally.follow(ticket, None)  # written last, by ``deferred()``
        if tag_objects:
            ticket.tags.set(tag_objects)
        store.insert_message(message)
        if attachment_ids:
            claim_attachments(actor, ticket, message, attachment_ids)
        created = audit.event(ticket, actor, "created", new={"number": ticket.number})
        for event in opening.events:
            event.ticket = ticket  # built before the ticket had its id
        audit.record([created, *opening.events])
        _announce(ticket, actor, channel, opening)
    return ticket


@dataclass
class Opening:
    """A ticket about to be opened, shown to the rules that set its own fields first.

    Zendesk-style: a rule that raises a new ticket's priority (the shipped "urgent words"
    rule) changes the ticket as it is opened, not by a second update right after — one write,
    one creation event carrying the final values; the ticket's history still names the rule
    for each change (``events``). Only ``OPENING_FIELDS`` can be changed here; rules that do
    anything else run after the write, as before. Automation plugs its planner in at start-up
    (``use_opening_rules``): tickets does not import automation.
    """

    ticket: Ticket
    description: str
    tag_names: tuple[str, ...]
    actor: Actor
    events: list[TicketEvent] = field(default_factory=list)
    rules: list[int] = field(default_factory=list)  # the rules that changed it, in order
    declined: list[int] = field(default_factory=list)  # the rules that did not hold for it

    def change(self, actor: Actor, changes: Mapping[str, Any], *, rule_id: int) -> None:
        """Apply a rule's ``changes`` (validated as ``update_ticket`` would) as ``actor``."""
        unknown = set(changes) - OPENING_FIELDS
        if unknown:
            raise ValueError(f"not a field rules set on opening: {sorted(unknown)}")
        self.events += apply_changes(actor, self.ticket, changes)
        self.rules.append(rule_id)


OpeningRules = Callable[[Opening], None]
_opening_rules: list[OpeningRules] = []


def use_opening_rules(rules: OpeningRules) -> None:
    """Plug in what sets a new ticket's fields before its first write (automation does)."""
    _opening_rules[:] = [rules]


def check_customer_choices(given: Mapping[str, object], *, allowed: Collection[str]) -> None:
    """Refuse, naming each one, the ``CUSTOMER_CHOICES`` a customer set and may not."""
    refused = [
        name
        for name in CUSTOMER_CHOICES
        if given.get(name) not in (None, "", [], (), {}) and name not in allowed
    ]
    if refused:
        raise Forbidden(
            _("Customers cannot set: %(fields)s.") % {"fields": ", ".join(refused)},
            errors=[FieldError(name, _("Customers cannot set this field.")) for name in refused],
        )


def _announce(ticket: Ticket, actor: Actor, channel: str, opening: Opening) -> None:
    publish(
        TicketCreated(
            ticket_id=ticket.pk,
            number=ticket.number,
            actor_id=actor.user_id,
            source=actor.source.value,
            channel=str(channel),
            subject=ticket.subject,
            requester_id=ticket.requester_id,
            group_id=ticket.group_id,
            assignee_id=ticket.assignee_id,
            status_id=ticket.status_id,
            priority_id=ticket.priority_id,
            source_detail=actor.detail,
            rules_applied=tuple(opening.rules),
            rules_declined=tuple(opening.declined),
        )
    )

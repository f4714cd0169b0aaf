"""Writing the demo's tickets: each conversation through the services, then backdated."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta

from atiende.accounts.models import Group, Identity, IdentityChannel, User
from atiende.core.actor import Actor, Source
from atiende.tickets import services
from atiende.tickets.demo_data import ALERT, SCENARIOS, Scenario
from atiende.tickets.models import (
    Category,
    Channel,
    Direction,
    LinkKind,
    Message,
    Ticket,
    TicketEvent,
    TicketType,
)

# How a real queue looks: most work is done, a healthy set is waiting, urgent is rare.
STATUSES = {
    "closed": 40, "solved": 20, "new": 9, "open": 12, "in_progress": 6,
    "pending": 7, "on_hold": 3, "cancelled": 3,
}  # fmt: skip
ACTIVE = ("new", "open", "in_progress", "pending", "on_hold")
PRIORITIES = {"low": 20, "normal": 55, "high": 20, "urgent": 5}
CHANNELS = {
    Channel.EMAIL: 38, Channel.WEB: 12, Channel.PORTAL: 12, Channel.CHAT: 10,
    Channel.WHATSAPP: 10, Channel.PHONE: 8, Channel.API: 4, Channel.ALERT: 3,
}  # fmt: skip
EXTRA_MESSAGES = {0: 15, 1: 25, 2: 25, 3: 18, 4: 10, 5: 7}
TYPES = {"support": TicketType.QUESTION, "billing": TicketType.TASK, "tech": TicketType.INCIDENT}
ROUTING = Actor(user=None, source=Source.RULE, detail="demo routing")
MONITORING = Actor(user=None, source=Source.CHANNEL, detail="monitoring")
MAX_LINKS = 12


def pick[K](rng: random.Random, weights: dict[K, int]) -> K:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class Steps:
    """The writes of one ticket in order: after each, the last event id and any new message."""

    def __init__(self, ticket: Ticket) -> None:
        self.ticket = ticket
        self.marks: list[tuple[int, int | None, bool]] = []

    def mark(self, message: Message | None = None) -> None:
        events = TicketEvent.objects.filter(ticket=self.ticket).order_by("-id")
        last = events.values_list("id", flat=True).first() or 0
        staff_reply = (
            message is not None and message.public and message.direction == Direction.OUTBOUND
        )
        self.marks.append((last, message.pk if message else None, staff_reply))


class TicketWriter:
    def __init__(
        self,
        rng: random.Random,
        now: datetime,
        groups: dict[str, Group],
        staff: list[User],
        categories: dict[str, Category],
    ) -> None:
        self.rng = rng
        self.now = now
        self.groups = groups
        self.admin = staff[0]
        member_ids = {key: set(g.members.values_list("pk", flat=True)) for key, g in groups.items()}
        self.members = {key: [u for u in staff if u.pk in ids] for key, ids in member_ids.items()}
        self.categories = categories
        self.on_whatsapp = set(
            Identity.objects.filter(channel=IdentityChannel.WHATSAPP).values_list(
                "user_id", flat=True
            )
        )
        self.by_scenario: dict[str, list[Ticket]] = defaultdict(list)
        self.tickets_written = 0
        self.merges = 0

    def write_ticket(
        self, customer: User, *, status: str | None = None, scenario: Scenario | None = None
    ) -> Ticket:
        rng = self.rng
        channel = pick(rng, CHANNELS)
        if channel == Channel.WHATSAPP and customer.pk not in self.on_whatsapp:
            channel = Channel.EMAIL
        if scenario is None:
            scenario = ALERT if channel == Channel.ALERT else self._scenario(customer)
        elif channel == Channel.ALERT:
            channel = Channel.EMAIL
        status = status or pick(rng, STATUSES)
        agent = rng.choice(self.members[scenario.group])
        steps = self._open(customer, agent, scenario, channel)
        self._route(steps, agent if status != "new" else None, scenario)
        self._converse(steps, customer, agent, scenario, status)
        self._finish(steps, agent, status)
        self._backdate(steps, self._age(status))
        self.by_scenario[scenario.subject].append(steps.ticket)
        self.tickets_written += 1
        return steps.ticket

    def _age(self, status: str) -> timedelta:
        """Open work is recent, solved tickets are days old, closed ones weeks to months."""
        if status in ACTIVE:
            low, high = 1, 24 * 14
        elif status == "solved":
            low, high = 24, 24 * 20
        else:
            low, high = 24 * 7, 24 * 120
        return timedelta(hours=self.rng.uniform(low, high))

    def _scenario(self, customer: User) -> Scenario:
        lang = customer.locale if self.rng.random() < 0.9 else "en"
        return self.rng.choice([s for s in SCENARIOS if s.lang == lang])

    def _customer_actor(self, customer: User, channel: str) -> Actor:
        if channel in (Channel.WEB, Channel.PORTAL):
            return Actor(customer, Source.WEB)
        return Actor(customer, Source.CHANNEL, detail=str(channel))

    def _open(self, customer: User, agent: User, scenario: Scenario, channel: str) -> Steps:
        n = self.rng.randint(10000, 99999)
        subject, body = scenario.subject.format(n=n), scenario.body.format(n=n)
        group_id, priority = None, None
        if channel == Channel.ALERT:
            actor, group_id, priority = MONITORING, self.groups["tech"].pk, "high"
        elif channel in (Channel.PHONE, Channel.API):
            # Staff log phone calls; integrations open tickets with an administrator's token.
            source = Source.API if channel == Channel.API else Source.WEB
            actor = Actor(self.admin if channel == Channel.API else agent, source)
        else:
            actor = self._customer_actor(customer, channel)
        ticket = services.open_ticket(
            actor,
            subject=subject,
            body=body,
            requester=customer,
            channel=channel,
            group_id=group_id,
            priority=priority,
            customer_may_set=("channel",),  # the channel the message came by, not a choice
        )
        steps = Steps(ticket)
        steps.mark(ticket.messages.order_by("id").first())
        return steps

    def _route(self, steps: Steps, agent: User | None, scenario: Scenario) -> None:
        rng = self.rng
        if agent is None and rng.random() < 0.3:
            return  # left in the triage queue
        changes: dict[str, object] = {
            "group_id": self.groups[scenario.group].pk,
            "priority": rng.choice(("high", "urgent"))
            if scenario is ALERT
            else pick(rng, PRIORITIES),
            "type": TYPES[scenario.group],
            "category_id": self.categories[scenario.category].pk,
            "tags": list(scenario.tags) + (["vip"] if rng.random() < 0.08 else []),
        }
        if agent is not None:
            changes["assignee_id"] = agent.pk
        actor = Actor(agent, Source.WEB) if agent is not None else ROUTING
        services.update_ticket(actor, ticket_id=steps.ticket.pk, version=None, changes=changes)
        steps.mark()

    def _converse(
        self, steps: Steps, customer: User, agent: User, scenario: Scenario, status: str
    ) -> None:
        """Agent replies and customer answers take turns; notes now and then."""
        rng, ticket = self.rng, steps.ticket
        count = pick(rng, EXTRA_MESSAGES)
        if status == "new":
            count = min(count, 1) if scenario.followups else 0
        reply_channel = Channel.EMAIL if ticket.channel == Channel.ALERT else ticket.channel
        for i in range(count):
            actor, public = Actor(agent, Source.WEB), True
            if status == "new":
                text, actor = scenario.followups[1], self._customer_actor(customer, ticket.channel)
            elif i % 2 == 1 and scenario.followups:
                last = i == count - 1 and status in ("solved", "closed")
                text = scenario.followups[-2 if last else min(i // 2, 1)]
                actor = self._customer_actor(customer, ticket.channel)
            elif rng.random() < 0.2:
                text, public = rng.choice(scenario.notes), False
            else:
                text = scenario.replies[min(i // 2, len(scenario.replies) - 1)]
            message = services.add_message(
                actor,
                ticket_id=ticket.pk,
                body=text.format(first=customer.first_name),
                public=public,
                channel=reply_channel,
            )
            steps.mark(message)

    def _finish(self, steps: Steps, agent: User, status: str) -> None:
        actor = Actor(agent, Source.WEB)
        ticket = steps.ticket
        current = Ticket.objects.values_list("status__key", flat=True).get(pk=ticket.pk)
        for key in ["solved", "closed"] if status == "closed" else [status]:
            if key != current:
                services.change_status(actor, ticket_id=ticket.pk, status=key)
                steps.mark()
                current = key

    def _backdate(self, steps: Steps, age: timedelta) -> None:
        """Spread the ticket's writes over ``age`` before now, in order, and move them there."""
        start, end = self.now - age, self.now - timedelta(minutes=5)
        gaps = [self.rng.uniform(0.05, 1.0) * self.rng.choice((1, 1, 3, 12)) for _ in steps.marks]
        gaps[0] = 0.0
        scale = min(1.0, (end - start).total_seconds() / 3600 / (sum(gaps) or 1.0))
        times, at = [], start
        for gap in gaps:
            at += timedelta(hours=gap * scale)
            times.append(at)
        ticket, previous = steps.ticket, 0
        messages: list[Message] = []
        for at, (last_event, message_id, _) in zip(times, steps.marks, strict=True):
            TicketEvent.objects.filter(ticket=ticket, id__gt=previous, id__lte=last_event).update(
                created_at=at
            )
            previous = max(previous, last_event)
            if message_id is not None:
                messages.append(Message(pk=message_id, created_at=at))
        Message.objects.bulk_update(messages, ["created_at"])
        replies = [at for at, mark in zip(times, steps.marks, strict=True) if mark[2]]
        fields = Ticket.objects.filter(pk=ticket.pk).values("solved_at", "closed_at").get()
        Ticket.objects.filter(pk=ticket.pk).update(
            created_at=times[0],
            updated_at=times[-1],
            last_message_at=messages[-1].created_at,
            first_response_at=replies[0] if replies else None,
            solved_at=times[-2 if fields["closed_at"] else -1] if fields["solved_at"] else None,
            closed_at=times[-1] if fields["closed_at"] else None,
        )

    def write_duplicate_pair(self, customer: User) -> None:
        """The same problem reported twice by one customer, merged by an administrator."""
        scenario = next(s for s in SCENARIOS if s.lang == customer.locale)
        first = self.write_ticket(customer, status="open", scenario=scenario)
        second = self.write_ticket(customer, status="new", scenario=scenario)
        services.merge_tickets(
            Actor(self.admin, Source.WEB), source_id=second.pk, target_id=first.pk
        )
        self.by_scenario[scenario.subject].remove(second)
        self.merges += 1

    def link_related(self) -> int:
        """Link tickets reporting the same technical problem; the oldest is the parent."""
        links = 0
        actor = Actor(self.admin, Source.WEB)
        for scenario in SCENARIOS:
            tickets = self.by_scenario[scenario.subject]
            if scenario.group != "tech" or len(tickets) < 2:
                continue
            parent, *children = tickets
            for child in children[:2]:
                kind = LinkKind.PARENT if links % 3 == 0 else LinkKind.RELATED
                services.link_tickets(actor, source_id=parent.pk, target_id=child.pk, kind=kind)
                links += 1
            if links >= MAX_LINKS:
                break
        return links

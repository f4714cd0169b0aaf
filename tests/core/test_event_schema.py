"""Every event type has a declared payload, is published by a real service call, and matches
its declaration; the checker itself refuses what does not match."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from atiende.core.actor import Actor, Source
from atiende.core.event_schema import EventSchemaError, check_event, event_from_dict
from atiende.core.event_types import (
    EVENT_TYPES,
    AgentsMentioned,
    FieldChange,
    TicketCreated,
    TicketDeleted,
    TicketLinked,
    TicketUnlinked,
    TicketUpdated,
)
from atiende.core.events import as_dict, capture_events
from atiende.tickets import services
from atiende.tickets.models import TicketLink
from atiende.tickets.services import merge_customers
from tests.factories import SYSTEM, make_admin, make_agent, make_customer, make_group, make_ticket

pytestmark = pytest.mark.django_db

RULE = Actor(user=None, source=Source.RULE, detail="rule:7")


def _open() -> None:
    make_ticket(actor=RULE)


def _update() -> None:
    ticket = make_ticket()
    services.update_ticket(
        RULE, ticket_id=ticket.pk, version=None, changes={"priority": "high", "tags": ["vip"]}
    )


def _reply_and_mention() -> None:
    group = make_group()
    author, colleague = make_agent(group), make_agent(group)
    ticket = make_ticket(group_id=group.pk)
    actor = Actor(user=author, source=Source.WEB)
    services.add_message(actor, ticket_id=ticket.pk, body="Look", public=False)
    services.add_message(
        actor, ticket_id=ticket.pk, body="@you", public=False, mentions=[colleague.pk]
    )


def _merge() -> None:
    services.merge_tickets(RULE, source_id=make_ticket().pk, target_id=make_ticket().pk)


def _link_and_unlink() -> None:
    first, second = make_ticket(), make_ticket()
    link = services.link_tickets(RULE, source_id=first.pk, target_id=second.pk, kind="related")
    services.unlink_tickets(RULE, ticket_id=second.pk, link_id=link.pk)


def _delete() -> None:
    services.delete_ticket(RULE, ticket_id=make_ticket().pk)


def _merge_customers() -> None:
    source, target = make_customer(), make_customer()
    make_ticket(source)
    merge_customers(
        Actor(user=make_admin(), source=Source.WEB), source_id=source.pk, target_id=target.pk
    )


def _agent_status() -> None:
    from atiende.accounts.services import set_agent_status

    agent = make_agent()
    set_agent_status(Actor(user=agent, source=Source.WEB), user_id=agent.pk, status="away")


def _sla_sweep() -> None:
    """A ticket past its first-reply target: warning, breach and an escalation level."""
    import datetime as dt

    from django.utils import timezone

    from atiende.sla import cache, escalation
    from atiende.sla.services.policies import create_policy
    from atiende.sla.services.sweep import sweep

    cache.clear()
    plugged = escalation.action_validator()
    escalation.use_action_validator(None)  # the shape is enough here, whatever is registered
    try:
        create_policy(
            SYSTEM,
            name="Schema scenario",
            targets=[{"priority": "normal", "kind": "first_reply", "minutes": 60}],
            escalations=[
                {
                    "kind": "first_reply",
                    "level": 1,
                    "minutes": 0,
                    "actions": [{"type": "add_tags", "value": ["late"]}],
                }
            ],
        )
    finally:
        escalation.use_action_validator(plugged)
    make_ticket()
    sweep(now=timezone.now() + dt.timedelta(hours=2))
    cache.clear()


def _knowledge_base() -> None:
    from atiende.kb.services import articles, structure

    category = structure.create_category(SYSTEM, names={"es": "Cuenta"})
    section = structure.create_section(SYSTEM, category_id=category.pk, names={"es": "Acceso"})
    draft = articles.create_article(SYSTEM, section_id=section.pk, language="es", title="Clave")
    articles.publish(SYSTEM, translation_id=draft.pk)
    articles.archive(SYSTEM, translation_id=draft.pk)


def _rating() -> None:
    """A customer rates a solved ticket through their survey link."""
    from atiende.surveys import services as surveys
    from atiende.surveys.mail import link_for

    ticket = make_ticket(make_customer(email="rating@cliente.test"))
    services.update_ticket(RULE, ticket_id=ticket.pk, version=None, changes={"status": "solved"})
    request = ticket_request(ticket.pk)  # asked as the ticket was solved
    surveys.rate_by_link(link_for(request), value="good")


def ticket_request(ticket_id: int) -> Any:
    from atiende.surveys.models import SurveyRequest

    return SurveyRequest.objects.get(ticket_id=ticket_id)


def _knowledge_base_authoring() -> None:
    import datetime

    from atiende.kb.models import Article
    from atiende.kb.services import articles, structure, workflow

    category = structure.create_category(SYSTEM, names={"es": "Facturas"})
    section = structure.create_section(SYSTEM, category_id=category.pk, names={"es": "Pagos"})
    draft = articles.create_article(SYSTEM, section_id=section.pk, language="es", title="Pagar")
    article = Article.objects.get(pk=draft.article_id)
    articles.update_article(
        SYSTEM,
        article_id=article.pk,
        revision=article.revision,
        owner_id=make_agent().pk,
        verify_by=datetime.date(2020, 1, 1),
    )
    workflow.remind_verification(datetime.date(2020, 1, 2))


def _channel_delivery() -> None:
    from atiende.messaging.channels import services as channels
    from atiende.messaging.channels.contract import DeliveryState, DeliveryUpdate
    from atiende.messaging.channels.services.deliveries import apply_delivery
    from atiende.messaging.models import ChannelDirection, ChannelMessage

    account = channels.create_account(SYSTEM, provider="twilio_sms", name="SMS")
    ticket = make_ticket()
    reply = services.add_message(SYSTEM, ticket_id=ticket.pk, body="Listo")
    ChannelMessage.objects.create(
        account=account, message=reply, direction=ChannelDirection.OUTBOUND, provider_id="SM1"
    )
    apply_delivery(account, DeliveryUpdate(provider_id="SM1", state=DeliveryState.DELIVERED))


def _chat_queued() -> None:
    from atiende.messaging.chat import posting, widgets
    from atiende.messaging.chat import services as chat

    widget = widgets.create_widget(SYSTEM, name="Shop", group_id=make_group().pk)
    session = chat.open_chat(widget, "visitor-token", chat.Visitor())
    posting.post_message(session, client_id="c1", text="Hola")


SCENARIOS: dict[str, Callable[[], None]] = {
    "open": _open,
    "update": _update,
    "reply and mention": _reply_and_mention,
    "merge": _merge,
    "link and unlink": _link_and_unlink,
    "delete": _delete,
    "merge customers": _merge_customers,
    "agent status": _agent_status,
    "sla sweep": _sla_sweep,
    "knowledge base": _knowledge_base,
    "rating": _rating,
    "knowledge base authoring": _knowledge_base_authoring,
    "channel delivery": _channel_delivery,
    "chat queued": _chat_queued,
}


def test_every_declared_event_type_is_published_by_a_scenario_and_validates() -> None:
    published: set[type] = set()
    for run in SCENARIOS.values():
        with capture_events() as seen:
            run()
        for event in seen:
            check_event(event)
        published |= {type(event) for event in seen}
    assert published == set(EVENT_TYPES)


def test_an_update_carries_each_field_old_and_new_value_and_the_rule_that_did_it() -> None:
    ticket = make_ticket()
    with capture_events() as seen:
        services.update_ticket(
            RULE,
            ticket_id=ticket.pk,
            version=ticket.version,
            changes={"priority": "high", "tags": ["vip", "billing"], "subject": "Renamed"},
        )
    [event] = [e for e in seen if isinstance(e, TicketUpdated)]
    assert event.actor_id is None and event.source == "rule" and event.source_detail == "rule:7"
    assert event.fields == ("subject", "priority", "tags")
    by_field = {change.field: change for change in event.changes}
    assert by_field["subject"] == FieldChange("subject", ticket.subject, "Renamed")
    assert by_field["priority"].old["key"] == "normal"  # type: ignore[call-overload,index]  # a snapshot dict
    assert by_field["priority"].new["key"] == "high"  # type: ignore[call-overload,index]  # a snapshot dict
    assert by_field["tags"] == FieldChange("tags", [], ["billing", "vip"])


def test_unlinking_publishes_an_event_naming_the_link() -> None:
    first, second = make_ticket(), make_ticket()
    link = services.link_tickets(SYSTEM, source_id=first.pk, target_id=second.pk, kind="parent")
    with capture_events() as seen:
        services.unlink_tickets(SYSTEM, ticket_id=first.pk, link_id=link.pk)
    assert seen == [
        TicketUnlinked(
            link_id=link.pk,
            source_id=first.pk,
            target_id=second.pk,
            kind="parent",
            actor_id=None,
            source="system",
            source_detail="tests",
        )
    ]
    assert not TicketLink.objects.exists()


def test_a_channel_opening_names_its_mailbox() -> None:
    mailbox = Actor(user=None, source=Source.CHANNEL, detail="mailbox:3")
    with capture_events() as seen:
        make_ticket(actor=mailbox)
    [created] = [e for e in seen if isinstance(e, TicketCreated)]
    assert (created.source, created.source_detail) == ("channel", "mailbox:3")


def test_an_event_survives_the_json_round_trip() -> None:
    event = TicketUpdated(
        ticket_id=1,
        actor_id=None,
        source="api",
        fields=("tags",),
        changes=(FieldChange("tags", ["a"], ["a", "b"]),),
    )
    again = event_from_dict(json.loads(json.dumps(as_dict(event))))
    assert again == event and isinstance(again, TicketUpdated)
    assert isinstance(again.changes[0], FieldChange) and isinstance(again.fields, tuple)


def _updated(**overrides: Any) -> TicketUpdated:
    values: dict[str, Any] = {
        "ticket_id": 1,
        "actor_id": 2,
        "source": "web",
        "fields": ("status",),
        "changes": (FieldChange("status", None, {"id": 1}),),
    }
    return TicketUpdated(**(values | overrides))


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        (_updated(ticket_id=True), "ticket_id must be int"),
        (_updated(ticket_id="1"), "ticket_id must be int"),
        (_updated(actor_id=2.0), "actor_id"),
        (_updated(fields=["status"]), "fields must be a tuple"),
        (_updated(source="email"), "not a Source value"),
        (_updated(changes=()), "do not match its changes"),
        (_updated(fields=("priority",)), "do not match its changes"),
        (_updated(changes=(FieldChange("status", None, {1: "x"}),)), "non-string key"),
        (_updated(changes=(FieldChange("status", None, ("a",)),)), "plain JSON value"),
        (_updated(changes=({"field": "status"},)), "must be a FieldChange"),
        (TicketLinked(1, 2, "related", None, Source.WEB), "must be str"),
        (AgentsMentioned(1, 2, None, (3, "4"), "web"), "user_ids[1] must be int"),
    ],
)
def test_the_checker_refuses_what_does_not_match_the_declaration(event: Any, reason: str) -> None:
    with pytest.raises(EventSchemaError, match=reason.replace("[", r"\[").replace("]", r"\]")):
        check_event(event)


def test_an_undeclared_event_type_is_refused() -> None:
    class Stray:
        source = "web"

    with pytest.raises(EventSchemaError, match="not declared"):
        check_event(Stray())
    with pytest.raises(EventSchemaError, match="unknown event type"):
        event_from_dict({"type": "Stray"})


def test_deleting_a_ticket_is_announced_with_its_number() -> None:
    ticket = make_ticket()
    with capture_events() as seen:
        services.delete_ticket(RULE, ticket_id=ticket.pk)
    assert seen == [
        TicketDeleted(
            ticket_id=ticket.pk,
            number=ticket.number,
            actor_id=None,
            source="rule",
            source_detail="rule:7",
        )
    ]

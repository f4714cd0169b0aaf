"""Macros: saving (placeholders, actions, who), visibility, applying and usage counts."""

from __future__ import annotations

import pytest

from atiende.automation.actions import ActionContext, run_actions, validate_actions
from atiende.automation.macros.selectors import available_macros, get_macro
from atiende.automation.macros.services import (
    apply_macro,
    bulk_apply_macro,
    create_macro,
    delete_macro,
    update_macro,
)
from atiende.automation.models import Macro, MacroUsage
from atiende.core.actor import Actor, Source
from atiende.core.errors import Forbidden, Invalid, NotFound
from atiende.tickets.errors import StaleVersion
from atiende.tickets.models import Message, TicketEvent
from atiende.tickets.selectors import get_ticket
from tests.factories import (
    SYSTEM,
    make_admin,
    make_agent,
    make_customer,
    make_group,
    make_ticket,
    web,
)

pytestmark = pytest.mark.django_db


def test_placeholders_in_english_and_spanish_are_filled_once() -> None:
    group = make_group()
    agent = make_agent(group, name="Ana Pérez")
    customer = make_customer(name="José Núñez", email="jose@example.com")
    ticket = make_ticket(customer, group_id=group.pk, subject="Impresora {{agente.nombre}}")
    macro = create_macro(
        web(agent),
        name="Saludo",
        body=(
            "Hola {{ cliente.nombre_de_pila }} ({{cliente.nombre}}, {{ cliente.correo }}): "
            "#{{ticket.número}} {{ ticket.asunto }}. {{agente.nombre}} / {{ agent.first_name }}"
        ),
    )
    text = apply_macro(web(agent), ticket_id=ticket.pk, macro_id=macro.pk, version=None)
    assert text == (
        f"Hola José (José Núñez, jose@example.com): #{ticket.number} "
        "Impresora {{agente.nombre}}. Ana Pérez / Ana"
    )


@pytest.mark.parametrize(
    "body",
    [
        "Hola {{ cliente.apellido }}",
        "{{ticket.secret}}",
        "{{ name }}",
        "{{ ticket.subject|upper }}",
    ],
)
def test_an_unknown_placeholder_is_refused_naming_it(body: str) -> None:
    agent = make_agent()
    with pytest.raises(Invalid) as caught:
        create_macro(web(agent), name="x", body=body)
    assert [e.field for e in caught.value.errors] == ["body"]
    inner = body[body.index("{{") + 2 : body.index("}}")].strip()
    assert inner in str(caught.value.errors[0].message)
    assert not Macro.objects.exists()


def test_bad_actions_and_missing_parts_are_refused_naming_each() -> None:
    agent = make_agent()
    with pytest.raises(Invalid) as caught:
        create_macro(
            web(agent),
            name="",
            body="",
            actions=[
                {"type": "set_status", "value": "nope"},
                {"type": "fly"},
                {"type": "apply_macro", "macro": 1},
            ],
        )
    fields = {e.field for e in caught.value.errors}
    assert {"name", "actions[0].value", "actions[1].type", "actions[2].type"} <= fields
    with pytest.raises(Invalid) as caught:
        create_macro(web(agent), name="Empty", body=" ")
    assert [e.field for e in caught.value.errors] == ["body"]
    assert not Macro.objects.exists()


def test_update_checks_placeholders_and_actions_too() -> None:
    admin = make_admin()
    macro = create_macro(web(admin), name="x", body="ok", shared=True)
    with pytest.raises(Invalid):
        update_macro(web(admin), macro_id=macro.pk, changes={"body": "{{ oops.x }}"})
    with pytest.raises(Invalid):
        update_macro(web(admin), macro_id=macro.pk, changes={"actions": [{"type": "x"}]})
    with pytest.raises(Invalid):
        update_macro(web(admin), macro_id=macro.pk, changes={"owner": 1})
    macro.refresh_from_db()
    assert (macro.body, macro.actions) == ("ok", [])


def test_visibility_personal_group_and_shared() -> None:
    mine_group, other_group = make_group(), make_group()
    agent, colleague, admin = make_agent(mine_group), make_agent(mine_group), make_admin()
    shared = create_macro(web(admin), name="A shared", body="x", shared=True)
    group_one = create_macro(
        web(admin), name="B group", body="x", shared=True, group_id=mine_group.pk
    )
    other = create_macro(web(admin), name="C other", body="x", shared=True, group_id=other_group.pk)
    own = create_macro(web(agent), name="D own", body="x")
    create_macro(web(colleague), name="E colleague's", body="x")
    create_macro(web(admin), name="F inactive", body="x", shared=True, is_active=False)

    assert list(available_macros(web(agent))) == [shared, group_one, own]
    assert list(available_macros(web(agent), q="own")) == [own]
    assert list(available_macros(web(admin))) == [shared, group_one, other]
    with pytest.raises(NotFound):
        get_macro(web(agent), other.pk)
    with pytest.raises(Forbidden):
        available_macros(web(make_customer()))


def test_who_may_write_which_macros() -> None:
    group = make_group()
    agent, other = make_agent(group), make_agent(make_group())
    with pytest.raises(Forbidden):
        create_macro(web(agent), name="x", body="x", shared=True)
    with pytest.raises(Invalid) as caught:
        create_macro(web(other), name="x", body="x", group_id=group.pk)
    assert caught.value.errors[0].field == "group_id"
    mine = create_macro(web(agent), name="x", body="x")
    with pytest.raises(NotFound):
        update_macro(web(other), macro_id=mine.pk, changes={"name": "y"})
    with pytest.raises(NotFound):
        delete_macro(web(make_admin()), macro_id=mine.pk)
    delete_macro(web(agent), macro_id=mine.pk)
    assert not Macro.objects.exists()


def test_apply_runs_actions_in_the_agents_name_and_counts_use() -> None:
    group = make_group()
    agent = make_agent(group)
    ticket = make_ticket(group_id=group.pk)
    macro = create_macro(
        web(agent),
        name="Pending",
        body="Esperamos su respuesta, {{ cliente.nombre_de_pila }}.",
        actions=[
            {"type": "set_status", "value": "pending"},
            {"type": "set_priority", "value": "high"},
            {"type": "set_assignee", "value": agent.pk},
        ],
    )
    apply_macro(web(agent), ticket_id=ticket.pk, macro_id=macro.pk, version=ticket.version)
    apply_macro(web(agent), ticket_id=ticket.pk, macro_id=macro.pk, version=None)

    ticket = get_ticket(SYSTEM, ticket.pk)
    assert (ticket.status.key, ticket.priority.key, ticket.assignee_id) == (
        "pending",
        "high",
        agent.pk,
    )
    event = TicketEvent.objects.get(ticket=ticket, field="status")
    assert (event.actor_id, event.source_detail) == (agent.pk, f"macro:{macro.pk}")
    usage = MacroUsage.objects.get(macro=macro, agent=agent)
    assert usage.count == 2
    assert usage.last_used_at is not None


def test_a_stale_version_or_a_failing_action_applies_nothing() -> None:
    group = make_group()
    agent = make_agent(group)
    outsider = make_agent(make_group())
    ticket = make_ticket(group_id=group.pk)
    admin = make_admin()
    macro = create_macro(
        web(admin),
        name="x",
        shared=True,
        actions=[
            {"type": "set_status", "value": "pending"},
            {"type": "set_assignee", "value": outsider.pk},
        ],
    )
    with pytest.raises(StaleVersion):
        apply_macro(web(agent), ticket_id=ticket.pk, macro_id=macro.pk, version=ticket.version - 1)
    with pytest.raises(Invalid):
        apply_macro(web(agent), ticket_id=ticket.pk, macro_id=macro.pk, version=None)
    assert get_ticket(SYSTEM, ticket.pk).status.key == "new"
    assert not MacroUsage.objects.exists()


def test_bulk_applies_actions_only_reporting_each_ticket() -> None:
    group = make_group()
    agent = make_agent(group)
    visible = [make_ticket(group_id=group.pk) for _ in range(2)]
    hidden = make_ticket(group_id=make_group().pk)
    macro = create_macro(
        web(agent), name="x", body="Hola", actions=[{"type": "set_priority", "value": "urgent"}]
    )
    result = bulk_apply_macro(
        web(agent), ticket_ids=[t.pk for t in (*visible, hidden)], macro_id=macro.pk
    )
    assert [r.ticket_id for r in result.updated] == [t.pk for t in visible]
    assert [r.ticket_id for r in result.failed] == [hidden.pk]
    assert {get_ticket(SYSTEM, t.pk).priority.key for t in visible} == {"urgent"}
    assert not Message.objects.filter(ticket__in=visible, body_text="Hola").exists()
    assert MacroUsage.objects.get(macro=macro, agent=agent).count == 1

    text_only = create_macro(web(agent), name="y", body="Hola")
    with pytest.raises(Invalid):
        bulk_apply_macro(web(agent), ticket_ids=[visible[0].pk], macro_id=text_only.pk)


def test_rule_applies_a_shared_macro_and_posts_its_text_as_a_public_reply() -> None:
    admin = make_admin()
    ticket = make_ticket(make_customer(name="Marta Díaz"))
    macro = create_macro(
        web(admin),
        name="Mirando",
        body="Hola {{ cliente.nombre_de_pila }}, lo estamos revisando.",
        shared=True,
        actions=[{"type": "set_status", "value": "open"}],
    )
    rule = Actor(user=None, source=Source.RULE, detail="rule:3")
    validate_actions([{"type": "apply_macro", "macro": macro.pk}])
    run_actions(ActionContext(actor=rule), ticket.pk, [{"type": "apply_macro", "macro": macro.pk}])
    ticket = get_ticket(SYSTEM, ticket.pk)
    assert ticket.status.key == "open"
    reply = Message.objects.filter(ticket=ticket).order_by("-id").first()
    assert reply is not None
    assert (reply.body_text, reply.public) == ("Hola Marta, lo estamos revisando.", True)


def test_apply_macro_action_refuses_personal_and_unknown_macros() -> None:
    personal = create_macro(web(make_agent()), name="x", body="x")
    for params in ({"macro": personal.pk}, {"macro": 999_999}, {"macro": "1"}, {}):
        with pytest.raises(Invalid) as caught:
            validate_actions([{"type": "apply_macro", **params}])
        assert [e.field for e in caught.value.errors] == ["actions[0].macro"]

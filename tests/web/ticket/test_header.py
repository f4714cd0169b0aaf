"""Editing the header in place: each field through ``update_ticket`` with the shown version."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import Group, User
from atiende.tickets import services
from atiende.tickets.models import Category, CustomField, Status, Ticket, TicketEvent
from tests.factories import make_admin, make_agent, make_group, web

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def edit(
    client: Client, ticket: Ticket, name: str, data: dict[str, Any], hx: dict[str, str]
) -> Any:
    return client.post(reverse("ticket-field", args=[ticket.pk, name]), data, headers=hx)


def tag_names(ticket: Ticket) -> list[str]:
    return sorted(ticket.tags.values_list("name", flat=True))


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def test_edit_form_offers_only_allowed_status_transitions(
    client_for: Any, agent: User, ticket: Ticket
) -> None:
    response = client_for(agent).get(
        reverse("ticket-field", args=[ticket.pk, "status"]) + f"?version={ticket.version}"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="version" value="1"' in body
    allowed = {s.key for s in ticket.status.allowed_next.all()} | {ticket.status.key}
    offered = {s.key for s in Status.objects.all() if f'value="{s.key}"' in body}
    assert offered == allowed
    assert '<label for="edit-status">Status</label>' in body


@pytest.mark.parametrize(
    ("name", "data", "check"),
    [
        ("subject", {"subject": "Printer fixed?"}, lambda t: t.subject == "Printer fixed?"),
        ("priority", {"priority": "urgent"}, lambda t: t.priority.key == "urgent"),
        ("status", {"status": "open"}, lambda t: t.status.key == "open"),
        ("type", {"type": "incident"}, lambda t: t.type == "incident"),
        ("tags", {"tags": "VIP, billing ,"}, lambda t: tag_names(t) == ["billing", "vip"]),
        ("group", {"group_id": ""}, lambda t: t.group_id is None),
    ],
)  # fmt: skip
def test_saving_a_field_updates_the_ticket_and_answers_with_the_new_header(
    client_for: Any,
    agent: User,
    ticket: Ticket,
    hx: dict[str, str],
    name: str,
    data: Any,
    check: Any,
) -> None:
    response = edit(client_for(agent), ticket, name, {"version": 1, **data}, hx)
    assert response.status_code == 200, response.content.decode()
    assert response["HX-Trigger"] == "ticket-changed"
    updated = fresh(ticket)
    assert check(updated)
    assert updated.version == 2
    assert 'data-version="2"' in response.content.decode()
    assert TicketEvent.objects.filter(ticket=ticket, action="updated", actor=agent).exists()


def test_assignee_and_category(
    client_for: Any, agent: User, group: Group, ticket: Ticket, hx: dict[str, str]
) -> None:
    colleague = make_agent(group, name="Bea")
    category = Category.objects.create(name_en="Hardware", name_es="Hardware")
    client = client_for(agent)
    form = client.get(reverse("ticket-field", args=[ticket.pk, "assignee"])).content.decode()
    assert "Bea" in form and "Ana Pérez" in form
    assert (
        edit(
            client, ticket, "assignee", {"version": 1, "assignee_id": colleague.pk}, hx
        ).status_code
        == 200
    )
    response = edit(client, ticket, "category", {"version": 2, "category_id": category.pk}, hx)
    assert response.status_code == 200
    assert "Hardware" in response.content.decode()
    assert fresh(ticket).assignee_id == colleague.pk
    assert fresh(ticket).category_id == category.pk


def test_an_assignee_outside_the_group_is_refused_next_to_the_field(
    client_for: Any, agent: User, ticket: Ticket, hx: dict[str, str]
) -> None:
    outsider = make_agent(make_group(), name="Zed")
    response = edit(
        client_for(agent), ticket, "assignee", {"version": 1, "assignee_id": outsider.pk}, hx
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert 'class="field-error"' in body
    assert fresh(ticket).assignee_id is None
    assert fresh(ticket).version == 1


def test_a_stale_version_never_overwrites_and_shows_who_changed_what(
    client_for: Any, agent: User, group: Group, ticket: Ticket, hx: dict[str, str]
) -> None:
    bea = make_agent(group, name="Bea Ruiz")
    services.update_ticket(web(bea), ticket_id=ticket.pk, version=1, changes={"priority": "high"})

    client = client_for(agent)
    response = edit(client, ticket, "priority", {"version": 1, "priority": "low"}, hx)

    body = response.content.decode()
    assert response.status_code == 409
    assert "Bea Ruiz changed this ticket meanwhile" in body
    assert fresh(ticket).priority.key == "high"
    assert fresh(ticket).version == 2
    # The form is open again with the agent's value and the current version: re-apply...
    assert "data-field-form" in body
    assert 'name="version" value="2"' in body
    assert '<option value="low" selected>' in body
    again = edit(client, ticket, "priority", {"version": 2, "priority": "low"}, hx)
    assert again.status_code == 200
    assert fresh(ticket).priority.key == "low"


def test_a_stale_version_can_be_dropped(
    client_for: Any, agent: User, group: Group, ticket: Ticket, hx: dict[str, str]
) -> None:
    services.update_ticket(
        web(make_agent(group)), ticket_id=ticket.pk, version=1, changes={"subject": "Theirs"}
    )
    client = client_for(agent)
    edit(client, ticket, "subject", {"version": 1, "subject": "Mine"}, hx)
    header = client.get(reverse("ticket-header", args=[ticket.pk]), headers=hx)
    assert "Theirs" in header.content.decode()
    assert "data-field-form" not in header.content.decode()
    assert fresh(ticket).subject == "Theirs"


def test_an_invalid_transition_is_refused_next_to_the_field(
    client_for: Any, agent: User, ticket: Ticket, hx: dict[str, str]
) -> None:
    services.change_status(web(agent), ticket_id=ticket.pk, status="solved")
    solved = fresh(ticket).status
    assert not solved.allowed_next.filter(key="pending").exists()
    response = edit(client_for(agent), ticket, "status", {"version": 2, "status": "pending"}, hx)
    assert response.status_code == 422
    assert "Cannot move from “Solved” to “Pending”" in response.content.decode()
    assert fresh(ticket).status_id == solved.pk


@pytest.mark.parametrize(
    ("name", "data"),
    [("subject", {"version": 1, "subject": ""}), ("priority", {"version": 1, "priority": "nope"}),
     ("subject", {"version": "x", "subject": "ok"}), ("group", {"version": 1, "group_id": "abc"})],
)  # fmt: skip
def test_bad_values_are_shown_next_to_the_field_and_write_nothing(
    client_for: Any, agent: User, ticket: Ticket, hx: dict[str, str], name: str, data: Any
) -> None:
    response = edit(client_for(agent), ticket, name, data, hx)
    assert response.status_code == 422
    assert 'class="field-error"' in response.content.decode()
    assert fresh(ticket).version == 1


def test_unknown_field_and_outsiders_get_404(
    client_for: Any, agent: User, ticket: Ticket, hx: dict[str, str]
) -> None:
    assert edit(client_for(agent), ticket, "number", {"version": 1}, hx).status_code == 404
    outsider = client_for(make_agent(make_group()))
    assert edit(outsider, ticket, "subject", {"version": 1, "subject": "x"}, hx).status_code == 404
    assert fresh(ticket).subject == "Printer on fire"


def test_custom_fields_are_edited_together_with_errors_next_to_each(
    client_for: Any, agent: User, ticket: Ticket, hx: dict[str, str]
) -> None:
    CustomField.objects.create(
        target="ticket",
        key="plan",
        type="select",
        options=["Gold", "Free"],
        name_en="Plan",
        name_es="Plan",
    )
    CustomField.objects.create(
        target="ticket", key="seats", type="number", name_en="Seats", name_es="Puestos"
    )
    client = client_for(agent)
    ok = edit(
        client, ticket, "custom_fields", {"version": 1, "cf.plan": "Gold", "cf.seats": "12"}, hx
    )
    assert ok.status_code == 200
    assert fresh(ticket).custom_fields == {"plan": "Gold", "seats": 12}
    assert "Gold" in ok.content.decode() and "Seats" in ok.content.decode()

    bad = edit(
        client,
        ticket,
        "custom_fields",
        {"version": 2, "cf.plan": "Platinum", "cf.seats": "many"},
        hx,
    )
    assert bad.status_code == 422
    assert bad.content.decode().count('class="field-error"') == 2
    assert fresh(ticket).custom_fields == {"plan": "Gold", "seats": 12}


def test_assign_to_me_and_solve(
    client_for: Any, agent: User, ticket: Ticket, hx: dict[str, str]
) -> None:
    client = client_for(agent)
    response = client.post(
        reverse("ticket-assign-me", args=[ticket.pk]), {"version": 1}, headers=hx
    )
    assert response.status_code == 200
    assert fresh(ticket).assignee_id == agent.pk
    assert 'data-shortcut="a"' not in response.content.decode()

    # New may not go straight to solved in the default workflow: open it first.
    services.change_status(web(agent), ticket_id=ticket.pk, status="open")
    version = fresh(ticket).version
    response = client.post(
        reverse("ticket-solve", args=[ticket.pk]), {"version": version}, headers=hx
    )
    assert response.status_code == 200, response.content.decode()
    assert fresh(ticket).status.category == "solved"
    assert 'data-shortcut="s"' not in response.content.decode()


def test_assign_to_me_with_a_stale_version_changes_nothing(
    client_for: Any, agent: User, group: Group, ticket: Ticket, hx: dict[str, str]
) -> None:
    bea = make_agent(group, name="Bea")
    services.assign_ticket(web(bea), ticket_id=ticket.pk, assignee_id=bea.pk, version=1)
    response = client_for(agent).post(
        reverse("ticket-assign-me", args=[ticket.pk]), {"version": 1}, headers=hx
    )
    assert response.status_code == 409
    assert "Bea changed this ticket meanwhile" in response.content.decode()
    assert fresh(ticket).assignee_id == bea.pk


def test_solve_without_js_redirects_back(client_for: Any, ticket: Ticket) -> None:
    admin = make_admin()
    services.change_status(web(admin), ticket_id=ticket.pk, status="open")
    response = client_for(admin).post(reverse("ticket-solve", args=[ticket.pk]), {"version": 2})
    assert response.status_code == 302
    assert fresh(ticket).status.category == "solved"


def test_solve_is_refused_when_the_workflow_does_not_allow_it(
    client_for: Any, agent: User, ticket: Ticket, hx: dict[str, str]
) -> None:
    solved = Status.objects.filter(category="solved")
    ticket.status.allowed_next.remove(*solved)
    if not ticket.status.allowed_next.exists():
        pytest.skip("workflow allows everything")
    client = client_for(agent)
    assert (
        'data-shortcut="s"' not in client.get(reverse("ticket", args=[ticket.pk])).content.decode()
    )
    response = client.post(reverse("ticket-solve", args=[ticket.pk]), {"version": 1}, headers=hx)
    assert response.status_code == 422
    assert "cannot be solved" in response.content.decode()
    assert fresh(ticket).status.category == "new"


def test_the_header_answer_brings_the_field_panel_out_of_band(
    client_for: Any, agent: User, ticket: Ticket, hx: dict[str, str]
) -> None:
    """The field panel sits after the conversation, away from the header; a saved field, a
    refresh or a stale version still updates both, the panel through htmx's out-of-band swap."""
    client = client_for(agent)
    page = client.get(reverse("ticket", args=[ticket.pk])).content.decode()
    assert page.index('id="timeline"') < page.index('id="ticket-fields"')
    assert 'id="ticket-fields" class="side-box ticket-fields-box"' in page
    assert "hx-swap-oob" not in page.split('id="ticket-fields"', 1)[1].split(">", 1)[0]

    saved = edit(client, ticket, "priority", {"version": 1, "priority": "urgent"}, hx)
    body = saved.content.decode()
    assert body.index('id="ticket-header"') < body.index('id="ticket-fields"')
    assert 'hx-swap-oob="true"' in body.split('id="ticket-fields"', 1)[1].split(">", 1)[0]
    assert "Urgent" in body.split('id="ticket-fields"', 1)[1]

    stale = edit(client, ticket, "priority", {"version": 1, "priority": "low"}, hx)
    fields = stale.content.decode().split('id="ticket-fields"', 1)[1]
    assert stale.status_code == 409
    assert "changed this ticket meanwhile" in fields  # next to the form it is about
    assert "data-field-form" in fields

"""Bulk actions: each ticket through the services; per-ticket failures never stop the rest."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from atiende.tickets import services
from atiende.tickets.models import Ticket, TicketEvent
from tests.factories import make_customer, make_ticket, web
from tests.web.inbox.conftest import Team, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
HTMX = {"HX-Request": "true"}


def bulk(client: Client, ids: list[int], **data: Any) -> Any:
    return client.post(reverse("inbox-bulk"), {"ids": ids, **data}, headers=HTMX)


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_related("status", "priority", "assignee").get(pk=ticket.pk)


def test_assign_to_me_to_an_agent_and_unassign(team: Team) -> None:
    a, b = make_ticket(group_id=team.support.pk), make_ticket(group_id=team.support.pk)
    client = signed_in(team.agent)

    response = bulk(client, [a.pk, b.pk], action="assign", assignee="me")

    assert response.status_code == 200
    assert "2 updated" in response.content.decode()
    assert response["HX-Trigger"] == "inboxChanged"
    assert fresh(a).assignee == team.agent and fresh(b).assignee == team.agent
    assert TicketEvent.objects.filter(ticket=a, field="assignee", actor=team.agent).exists()

    response = bulk(client, [a.pk], action="assign", assignee=str(team.admin.pk))
    assert "1 updated" in response.content.decode()
    assert fresh(a).assignee == team.admin

    response = bulk(client, [a.pk, b.pk], action="assign", assignee="unassigned")
    assert "2 updated" in response.content.decode()
    assert fresh(a).assignee is None and fresh(b).assignee is None


def test_assignee_outside_a_tickets_group_fails_for_that_ticket_only(team: Team) -> None:
    support = make_ticket(group_id=team.support.pk)
    billing = make_ticket(group_id=team.billing.pk)
    triage = make_ticket()

    response = bulk(
        signed_in(team.admin),
        [support.pk, billing.pk, triage.pk],
        action="assign",
        assignee=str(team.other.pk),
    )

    html = response.content.decode()
    assert "2 updated, 1 failed" in html
    assert f"#{support.number}: Bea Billing is not a member of group Support." in html
    assert fresh(support).assignee is None
    assert fresh(billing).assignee == team.other
    assert fresh(triage).assignee == team.other


def test_status_change_reports_invalid_transitions(team: Team) -> None:
    open_ = make_ticket(group_id=team.support.pk)
    closed = make_ticket(group_id=team.support.pk)
    services.change_status(web(team.admin), ticket_id=closed.pk, status="closed")
    client = signed_in(team.agent)

    response = bulk(client, [open_.pk, closed.pk], action="status", status="open")

    html = response.content.decode()
    assert "1 updated, 1 failed" in html
    assert f"#{closed.number}: A closed ticket cannot change status." in html
    assert fresh(open_).status.key == "open"
    assert fresh(closed).status.key == "closed"


def test_priority_and_unchanged_tickets(team: Team) -> None:
    low = make_ticket(group_id=team.support.pk, priority="low")
    high = make_ticket(group_id=team.support.pk, priority="high")

    response = bulk(signed_in(team.agent), [low.pk, high.pk], action="priority", priority="high")

    assert "1 updated, 1 unchanged" in response.content.decode()
    assert fresh(low).priority.key == "high"
    assert fresh(low).version == low.version + 1
    assert fresh(high).version == high.version


def test_add_and_remove_tags(team: Team) -> None:
    a = make_ticket(group_id=team.support.pk, tags=["old", "keep"])
    b = make_ticket(group_id=team.support.pk)

    response = bulk(
        signed_in(team.agent),
        [a.pk, b.pk],
        action="tags",
        add_tags="VIP, billing",
        remove_tags="old",
    )

    assert "2 updated" in response.content.decode()
    assert sorted(fresh(a).tags.values_list("name", flat=True)) == ["billing", "keep", "vip"]
    assert sorted(fresh(b).tags.values_list("name", flat=True)) == ["billing", "vip"]


def test_merge_selected_into_a_target(team: Team) -> None:
    target = make_ticket(group_id=team.support.pk)
    dup1, dup2 = make_ticket(group_id=team.support.pk), make_ticket(group_id=team.support.pk)

    response = bulk(
        signed_in(team.agent),
        [target.pk, dup1.pk, dup2.pk],
        action="merge",
        merge_target=str(target.number),
        confirmed="merge:3",
    )

    html = response.content.decode()
    assert f"2 tickets merged into #{target.number}, 1 skipped" in html
    assert f"#{target.number}: it is the ticket the others were merged into" in html
    for dup in (dup1, dup2):
        merged = fresh(dup)
        assert merged.merged_into_id == target.pk
        assert merged.status.category == "closed"
    assert fresh(target).merged_into_id is None


def test_merge_into_an_invisible_or_unknown_ticket_is_refused(team: Team) -> None:
    hidden = make_ticket(group_id=team.billing.pk)
    mine = make_ticket(group_id=team.support.pk)
    client = signed_in(team.agent)

    for number in (hidden.number, 999999):
        response = bulk(client, [mine.pk], action="merge", merge_target=str(number))
        assert response.status_code == 422
        assert "There is no ticket with this number." in response.content.decode()
    assert fresh(mine).merged_into_id is None


def test_close_and_out_of_scope_ids(team: Team) -> None:
    mine = make_ticket(group_id=team.support.pk)
    hidden = make_ticket(group_id=team.billing.pk)

    response = bulk(
        signed_in(team.agent), [mine.pk, hidden.pk, 999999], action="close", confirmed="close:3"
    )

    html = response.content.decode()
    assert "1 ticket closed, 2 skipped" in html
    assert f"Ticket {hidden.pk}: Ticket not found." in html
    assert hidden.number is not None and f"#{hidden.number}" not in html
    assert fresh(mine).status.category == "closed"
    assert fresh(hidden).status.key == "new"


def test_bulk_uses_the_version_current_when_it_runs(team: Team) -> None:
    """A ticket changed after the page was drawn is still updated: bulk acts on now."""
    ticket = make_ticket(group_id=team.support.pk)
    services.update_ticket(
        web(team.admin), ticket_id=ticket.pk, version=ticket.version, changes={"subject": "New"}
    )

    response = bulk(signed_in(team.agent), [ticket.pk], action="priority", priority="urgent")

    assert "1 updated" in response.content.decode()
    assert fresh(ticket).priority.key == "urgent"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "close"}, "Select at least one ticket."),
        ({"ids": ["x"], "action": "close"}, "Ticket ids must be whole numbers."),
        ({"ids": ["1"], "action": "explode"}, "Unknown action."),
        ({"ids": ["1"]}, "Choose an action."),
        ({"ids": ["1"], "action": "assign"}, "Choose who gets the tickets."),
        ({"ids": ["1"], "action": "assign", "assignee": "42424242"}, "Select a valid choice"),
        ({"ids": ["1"], "action": "status"}, "Choose a status."),
        ({"ids": ["1"], "action": "status", "status": "nope"}, "Select a valid choice"),
        ({"ids": ["1"], "action": "priority", "priority": "nope"}, "Select a valid choice"),
        ({"ids": ["1"], "action": "tags"}, "Enter tags to add or to remove."),
        ({"ids": ["1"], "action": "merge"}, "Enter the number of the ticket to merge into."),
        ({"ids": [str(i) for i in range(1, 502)], "action": "close"}, "at most 500 tickets"),
    ],
)
def test_bad_bulk_input_changes_nothing(team: Team, data: dict[str, Any], message: str) -> None:
    ticket = make_ticket(group_id=team.support.pk)

    response = signed_in(team.agent).post(reverse("inbox-bulk"), data, headers=HTMX)

    assert response.status_code == 422
    html = response.content.decode()
    assert "Nothing was changed." in html
    assert message in html
    assert fresh(ticket).version == ticket.version


def test_a_bad_tag_is_refused_before_any_ticket_changes(team: Team) -> None:
    ticket = make_ticket(group_id=team.support.pk)

    response = bulk(signed_in(team.agent), [ticket.pk], action="tags", add_tags="x" * 101)

    assert response.status_code == 422
    assert "Nothing was changed." in response.content.decode()
    assert "Tags must be 1 to 100 characters" in response.content.decode()
    assert fresh(ticket).version == ticket.version


def test_without_htmx_the_summary_is_a_message_after_a_redirect(team: Team) -> None:
    ok = make_ticket(group_id=team.support.pk)
    closed = make_ticket(group_id=team.support.pk)
    services.change_status(web(team.admin), ticket_id=closed.pk, status="closed")
    client = signed_in(team.agent)
    back = reverse("inbox") + "?view=mine"

    response = client.post(
        reverse("inbox-bulk"),
        {"ids": [ok.pk, closed.pk], "action": "status", "status": "pending", "next": back},
    )

    assert response.status_code == 302
    assert response["Location"] == back
    page = client.get(back).content.decode()
    assert "1 updated, 1 failed" in page
    assert "A closed ticket cannot change status." in page
    evil = client.post(
        reverse("inbox-bulk"),
        {
            "ids": [ok.pk],
            "action": "close",
            "next": "https://evil.example/",
            "confirmed": "close:1",
        },
    )
    assert evil["Location"] == reverse("inbox")


def test_customer_cannot_run_bulk_actions(team: Team) -> None:
    customer = make_customer()
    ticket = make_ticket(customer)

    response = bulk(signed_in(customer), [ticket.pk], action="close")

    assert response.status_code == 403
    assert fresh(ticket).status.key == "new"


def test_close_asks_first_naming_how_many_and_changes_nothing(team: Team) -> None:
    a, b = make_ticket(group_id=team.support.pk), make_ticket(group_id=team.support.pk)
    client = signed_in(team.agent)

    response = bulk(client, [a.pk, b.pk], action="close")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Close 2 tickets?" in html
    assert "Each one is set to “Closed”" in html
    assert "confirmed&quot;: &quot;close:2" in html or '"confirmed": "close:2"' in html
    assert "HX-Trigger" not in response
    assert fresh(a).version == a.version and fresh(b).version == b.version


def test_a_confirmation_for_another_selection_or_action_asks_again(team: Team) -> None:
    a, b = make_ticket(group_id=team.support.pk), make_ticket(group_id=team.support.pk)
    client = signed_in(team.agent)

    for confirmed in ("close:1", "merge:2", "close:2 ", "", "close:02"):
        response = bulk(client, [a.pk, b.pk], action="close", confirmed=confirmed)
        assert "Close 2 tickets?" in response.content.decode(), confirmed
    assert fresh(a).status.key == "new" and fresh(b).status.key == "new"


def test_close_summary_names_the_tickets_skipped_and_why(team: Team) -> None:
    open_ = make_ticket(group_id=team.support.pk)
    closed = make_ticket(group_id=team.support.pk)
    services.change_status(web(team.admin), ticket_id=closed.pk, status="closed")

    response = bulk(
        signed_in(team.agent), [open_.pk, closed.pk], action="close", confirmed="close:2"
    )

    html = response.content.decode()
    assert "1 ticket closed, 1 skipped" in html
    assert f"#{closed.number}: already closed" in html
    assert fresh(open_).status.category == "closed"


def test_merge_asks_first_naming_the_target(team: Team) -> None:
    target = make_ticket(group_id=team.support.pk, subject="Factura duplicada <b>")
    dup = make_ticket(group_id=team.support.pk)

    response = bulk(
        signed_in(team.agent), [dup.pk], action="merge", merge_target=str(target.number)
    )

    html = response.content.decode()
    assert f"Merge 1 ticket into #{target.number} “Factura duplicada &lt;b&gt;”?" in html
    assert "A merge cannot be undone." in html
    assert fresh(dup).merged_into_id is None


def test_without_htmx_the_question_is_a_page_that_posts_the_same_selection(team: Team) -> None:
    a, b = make_ticket(group_id=team.support.pk), make_ticket(group_id=team.support.pk)
    client = signed_in(team.agent)
    back = reverse("inbox") + "?view=mine"

    page = client.post(
        reverse("inbox-bulk"), {"ids": [a.pk, b.pk], "action": "close", "next": back}
    )

    assert page.status_code == 200
    html = page.content.decode()
    assert "Close 2 tickets?" in html
    for value in (str(a.pk), str(b.pk), "close:2", "close"):
        assert f'value="{value}"' in html
    assert fresh(a).status.key == "new"
    done = client.post(
        reverse("inbox-bulk"),
        {"ids": [a.pk, b.pk], "action": "close", "next": back, "confirmed": "close:2"},
    )
    assert done.status_code == 302
    assert "2 tickets closed" in client.get(back).content.decode()


def test_apply_a_macro_to_several_tickets_applies_its_actions_only(team: Team) -> None:
    from atiende.automation.macros.services import create_macro
    from atiende.tickets.models import Message

    a, b = make_ticket(group_id=team.support.pk), make_ticket(group_id=team.support.pk)
    closed = make_ticket(group_id=team.support.pk)
    services.change_status(web(team.admin), ticket_id=closed.pk, status="closed")
    macro = create_macro(
        web(team.agent),
        name="Escalate",
        body="Lo estamos revisando.",
        actions=[{"type": "set_priority", "value": "urgent"}],
    )
    text_only = create_macro(web(team.agent), name="Hello", body="Hola")
    client = signed_in(team.agent)

    page = client.get(reverse("inbox")).content.decode()
    assert 'name="macro"' in page and "Escalate" in page and "Hello" not in page

    response = bulk(client, [a.pk, b.pk], action="macro", macro=str(macro.pk))
    assert "2 updated" in response.content.decode()
    assert fresh(a).priority.key == "urgent" and fresh(b).priority.key == "urgent"
    event = TicketEvent.objects.get(ticket=a, field="priority")
    assert (event.actor, event.source_detail) == (team.agent, f"macro:{macro.pk}")
    assert not Message.objects.filter(body_text="Lo estamos revisando.").exists()

    refused = bulk(client, [a.pk], action="macro", macro=str(text_only.pk))
    assert refused.status_code == 422
    missing = bulk(client, [a.pk], action="macro")
    assert missing.status_code == 422 and "Choose a macro." in missing.content.decode()

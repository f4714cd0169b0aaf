"""The customer panel beside a ticket: profile, identities, fields, and scoped ticket history."""

from __future__ import annotations

from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from atiende.accounts.models import IdentityChannel, User
from atiende.accounts.services import add_identity, update_user
from atiende.tickets import services as tickets
from atiende.tickets.models import (
    Channel,
    CustomField,
    CustomFieldTarget,
    CustomFieldType,
)
from atiende.web.customers.panel import PANEL_TICKETS, customer_panel
from tests.factories import (
    SYSTEM,
    make_admin,
    make_agent,
    make_customer,
    make_group,
    make_org,
    make_ticket,
    web,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def render_panel(viewer: User, customer: User, current: int | None = None) -> str:
    panel = customer_panel(web(viewer), customer, current_ticket_id=current)
    request = RequestFactory().get("/")
    request.user = viewer
    return render_to_string("web/customers/_panel.html", {"panel": panel}, request=request)


def test_profile_identities_fields_and_organization() -> None:
    CustomField.objects.create(
        target=CustomFieldTarget.USER,
        key="tier",
        type=CustomFieldType.SELECT,
        options=["gold", "silver"],
        name_en="Support tier",
    )
    CustomField.objects.create(
        target=CustomFieldTarget.USER, key="vip", type=CustomFieldType.CHECKBOX, name_en="VIP"
    )
    org = make_org("Acme & Co")
    customer = make_customer(
        name="Lucía <Pérez>",
        email="lucia@example.com",
        phone="+34 600 000 111",
        organization_id=org.pk,
        locale="es",
        time_zone="Europe/Madrid",
        custom_fields={"tier": "gold", "vip": True},
    )
    add_identity(SYSTEM, user_id=customer.pk, channel=IdentityChannel.TELEGRAM, value="@lucia")

    html = render_panel(make_agent(), customer)

    assert "Lucía &lt;Pérez&gt;" in html
    assert 'href="mailto:lucia@example.com"' in html
    assert "+34 600 000 111" in html
    assert "Spanish" in html and "Europe/Madrid" in html
    assert f'href="/organizations/{org.pk}/"' in html and "Acme &amp; Co" in html
    assert "Telegram</span> @lucia" in html
    assert "<dt>Support tier</dt><dd>gold</dd>" in html
    assert "<dt>VIP</dt><dd>Yes</dd>" in html


def test_every_channel_newest_first_current_marked_open_counted() -> None:
    customer = make_customer()
    old = make_ticket(customer, subject="By mail", channel=Channel.EMAIL)
    mid = make_ticket(customer, subject="By phone", channel=Channel.PHONE)
    new = make_ticket(customer, subject="By chat", channel=Channel.CHAT)
    tickets.change_status(SYSTEM, ticket_id=old.pk, status="solved")
    make_ticket(make_customer(), subject="Someone else's")

    panel = customer_panel(web(make_admin()), customer, current_ticket_id=mid.pk)
    html = render_panel(make_admin(), customer, current=mid.pk)

    assert [row.id for row in panel["tickets"]] == [new.pk, mid.pk, old.pk]
    assert [row.channel for row in panel["tickets"]] == ["chat", "phone", "email"]
    assert panel["open_count"] == 2
    assert "Someone else" not in html
    assert html.index("By chat") < html.index("By phone") < html.index("By mail")
    assert (
        f'<li class="current" aria-current="page">\n          <a href="/tickets/{mid.pk}/">' in html
    )
    assert f'href="/tickets/{new.pk}/"' in html
    assert "Live chat" in html and "Phone" in html
    assert "<dd data-open-count>2</dd>" in html


def test_agent_sees_only_tickets_of_their_groups() -> None:
    mine, other = make_group(), make_group()
    agent = make_agent(mine)
    customer = make_customer()
    seen = make_ticket(customer, subject="In my group", group_id=mine.pk)
    hidden = make_ticket(customer, subject="Other group secret", group_id=other.pk)

    panel = customer_panel(web(agent), customer, current_ticket_id=seen.pk)
    html = render_panel(agent, customer, current=seen.pk)

    assert [row.id for row in panel["tickets"]] == [seen.pk]
    assert panel["open_count"] == 1
    assert "Other group secret" not in html
    assert f"/tickets/{hidden.pk}/" not in html


def test_capped_with_a_link_to_all_tickets() -> None:
    customer = make_customer()
    for n in range(PANEL_TICKETS + 1):
        make_ticket(customer, subject=f"T{n}")
    panel = customer_panel(web(make_admin()), customer)
    assert len(panel["tickets"]) == PANEL_TICKETS and panel["more"]
    assert f'href="/customers/{customer.pk}/#cx-all-tickets"' in render_panel(
        make_admin(), customer
    )


def test_merged_customer_points_to_the_surviving_record() -> None:
    from atiende.tickets.services import merge_customers

    target, source = make_customer(name="Kept"), make_customer()
    merge_customers(SYSTEM, source_id=source.pk, target_id=target.pk)
    html = render_panel(make_admin(), User.objects.get(pk=source.pk))
    assert "Merged into Kept." in html and f'href="/customers/{target.pk}/"' in html


@pytest.mark.parametrize("count", [3, 30])
def test_queries_stay_bounded(count: int, django_assert_max_num_queries: Any) -> None:
    CustomField.objects.create(
        target=CustomFieldTarget.USER, key="tier", type=CustomFieldType.TEXT, name_en="Tier"
    )
    group = make_group()
    agent = make_agent(group)
    customer = make_customer(organization_id=make_org().pk)
    update_user(SYSTEM, user_id=customer.pk, changes={"custom_fields": {"tier": "gold"}})
    for _ in range(count):
        make_ticket(customer, group_id=group.pk)
    customer = User.objects.get(pk=customer.pk)
    agent = User.objects.get(pk=agent.pk)
    with django_assert_max_num_queries(6):
        render_panel(agent, customer)

"""The notification centre: the bell on every page, its panel, the full list, marking read."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from atiende.accounts import services as accounts
from atiende.accounts.models import Group, User
from atiende.notifications.models import Kind, Notification
from atiende.tickets.models import Ticket
from tests.factories import make_admin, make_agent, make_customer, make_group, make_ticket, web

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def notify_many(user: User, group: Group, count: int, *, actor: User | None = None) -> list[Ticket]:
    """``count`` notifications for ``user``, each about its own ticket, written directly."""
    made = []
    for _ in range(count):
        ticket = make_ticket(group_id=group.pk)
        Notification.objects.create(recipient=user, kind=Kind.ASSIGNED, ticket=ticket, actor=actor)
        made.append(ticket)
    return made


def signed_in(user: User, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


@pytest.fixture
def setup() -> dict[str, Any]:
    group = make_group()
    return {
        "group": group,
        "agent": make_agent(group, name="Luis"),
        "boss": make_agent(group, name="Ana"),
    }


def test_bell_on_every_workspace_page_shows_the_unread_count(setup: dict[str, Any]) -> None:
    agent = setup["agent"]
    notify_many(agent, setup["group"], 3, actor=setup["boss"])
    Notification.objects.filter(pk=Notification.objects.first().pk).update(  # type: ignore[union-attr]
        read_at="2026-01-01T00:00:00Z"
    )
    body = signed_in(agent).get(reverse("home"), follow=True).content.decode()
    assert "data-bell" in body
    assert 'aria-controls="bell-panel"' in body
    assert '<span class="bell-count" data-bell-count>2</span>' in body
    assert 'data-ticket-url="/tickets/0/"' in body


def test_bell_hides_the_count_when_nothing_is_unread(setup: dict[str, Any]) -> None:
    body = signed_in(setup["agent"]).get(reverse("notifications")).content.decode()
    assert "data-bell-count-wrap hidden" in body
    assert "No notifications yet." in body


def test_panel_lists_the_latest_with_links_to_their_tickets(setup: dict[str, Any]) -> None:
    agent = setup["agent"]
    tickets = notify_many(agent, setup["group"], 10, actor=setup["boss"])
    response = signed_in(agent).get(reverse("notifications-panel"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('class="notification unread"') == 8
    newest = tickets[-1]
    assert f'href="/tickets/{newest.pk}/"' in body
    assert f"Ana assigned #{newest.number} to you" in body
    assert f'href="/tickets/{tickets[0].pk}/"' not in body  # only the latest 8
    assert "Mark all read" in body
    assert 'hx-swap-oob="true"' in body


def test_panel_hides_notifications_about_tickets_no_longer_visible(
    setup: dict[str, Any],
) -> None:
    agent, group = setup["agent"], setup["group"]
    other = make_group()
    moved = make_ticket(group_id=other.pk, subject="Moved away")
    Notification.objects.create(recipient=agent, kind=Kind.ASSIGNED, ticket=moved)
    notify_many(agent, group, 1)
    body = signed_in(agent).get(reverse("notifications-panel")).content.decode()
    assert "Moved away" not in body
    full = signed_in(agent).get(reverse("notifications")).content.decode()
    assert "Moved away" not in full


def test_mark_one_read_with_htmx_updates_the_count(setup: dict[str, Any]) -> None:
    agent = setup["agent"]
    notify_many(agent, setup["group"], 2)
    first = Notification.objects.filter(recipient=agent).first()
    assert first is not None
    client = signed_in(agent)
    response = client.post(reverse("notification-read", args=[first.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert '<span class="bell-count" data-bell-count>1</span>' in response.content.decode()
    first.refresh_from_db()
    assert first.read_at is not None


def test_mark_one_read_without_js_returns_to_the_page(setup: dict[str, Any]) -> None:
    agent = setup["agent"]
    notify_many(agent, setup["group"], 1)
    note = Notification.objects.get(recipient=agent)
    client = signed_in(agent)
    response = client.post(
        reverse("notification-read", args=[note.pk]), {"next": "/notifications/?cursor=x"}
    )
    assert response.status_code == 302 and response["Location"] == "/notifications/?cursor=x"
    response = client.post(
        reverse("notification-read", args=[note.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("notifications")


def test_someone_elses_or_missing_notification_is_not_found(setup: dict[str, Any]) -> None:
    agent, boss = setup["agent"], setup["boss"]
    notify_many(boss, setup["group"], 1)
    theirs = Notification.objects.get(recipient=boss)
    client = signed_in(agent)
    response = client.post(reverse("notification-read", args=[theirs.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 404
    assert "Notification not found." in response.content.decode()
    assert client.post(reverse("notification-read", args=[10**9])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read(setup: dict[str, Any]) -> None:
    agent, boss = setup["agent"], setup["boss"]
    notify_many(agent, setup["group"], 3)
    notify_many(boss, setup["group"], 1)
    client = signed_in(agent)
    response = client.post(reverse("notifications-read-all"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="notification unread"' not in body
    assert "data-bell-count-wrap hidden" in body
    assert Notification.objects.filter(recipient=agent, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(recipient=boss, read_at__isnull=True).count() == 1
    assert client.post(reverse("notifications-read-all")).status_code == 302


def test_writes_need_post_and_csrf(setup: dict[str, Any]) -> None:
    agent = setup["agent"]
    notify_many(agent, setup["group"], 1)
    note = Notification.objects.get(recipient=agent)
    assert signed_in(agent).get(reverse("notifications-read-all")).status_code == 405
    strict = signed_in(agent, csrf=True)
    assert strict.post(reverse("notification-read", args=[note.pk])).status_code == 403
    assert strict.post(reverse("notifications-read-all")).status_code == 403
    note.refresh_from_db()
    assert note.read_at is None


def test_full_list_pages_by_cursor(setup: dict[str, Any]) -> None:
    agent = setup["agent"]
    tickets = notify_many(agent, setup["group"], 30)
    client = signed_in(agent)
    first = client.get(reverse("notifications"))
    body = first.content.decode()
    assert body.count('data-notification="') == 25
    assert "Older notifications" in body
    assert "Mark all 30 unread as read" in body
    cursor = first.context["next_cursor"]
    second = client.get(reverse("notifications"), {"cursor": cursor}).content.decode()
    assert second.count('data-notification="') == 5
    assert f'href="/tickets/{tickets[0].pk}/"' in second
    assert 'for="pref-sound"' in body and 'for="pref-desktop"' in body


def test_a_tampered_cursor_is_a_clear_error(setup: dict[str, Any]) -> None:
    response = signed_in(setup["agent"]).get(reverse("notifications"), {"cursor": "%%bad"})
    assert response.status_code == 422
    assert "The cursor is not valid for this list." in response.content.decode()


def test_customers_and_strangers_stay_out() -> None:
    customer = make_customer()
    for name, args in (
        ("notifications", []),
        ("notifications-panel", []),
    ):
        assert signed_in(customer).get(reverse(name, args=args)).status_code == 403
        response = Client().get(reverse(name, args=args))
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert signed_in(customer).post(reverse("notifications-read-all")).status_code == 403


def test_suspended_agent_cannot_use_the_centre(setup: dict[str, Any]) -> None:
    agent = setup["agent"]
    client = signed_in(agent)
    accounts.update_user(web(make_admin()), user_id=agent.pk, changes={"is_active": False})
    assert client.get(reverse("notifications")).status_code in (302, 403)


@pytest.mark.parametrize("count", [3, 30])
def test_pages_stay_bounded_in_queries(
    setup: dict[str, Any], count: int, django_assert_max_num_queries: Any
) -> None:
    agent = setup["agent"]
    notify_many(agent, setup["group"], count, actor=setup["boss"])
    client = signed_in(agent)
    client.get(reverse("notifications"))  # warm the session
    with django_assert_max_num_queries(5):
        client.get(reverse("notifications-panel"))
    with django_assert_max_num_queries(7):
        client.get(reverse("notifications"))


def test_bell_count_is_one_query(setup: dict[str, Any], django_assert_num_queries: Any) -> None:
    from django.template import Context, Template
    from django.test import RequestFactory

    agent = setup["agent"]
    notify_many(agent, setup["group"], 5)
    request = RequestFactory().get("/")
    request.user = agent
    template = Template("{% load notifications %}{% unread_notifications as n %}{{ n }}")
    with django_assert_num_queries(1):
        assert template.render(Context({"request": request})) == "5"


def test_bell_carries_the_live_position_and_translated_realtime_strings(
    setup: dict[str, Any],
) -> None:
    from atiende.realtime import log

    event = log.append("ticket.updated", payload={}, ticket_id=1)
    body = signed_in(setup["agent"]).get(reverse("notifications")).content.decode()
    assert f'data-live-since="{event.pk}"' in body
    assert 'data-viewing-one="{name} is viewing"' in body
    assert 'data-typing-many="{names} are typing…"' in body


@pytest.mark.parametrize(
    ("live_port", "attribute"), [(None, None), (8001, 'data-live-port="8001"')]
)
def test_workspace_pages_name_the_live_port_only_when_it_is_not_their_own(
    setup: dict[str, Any], settings: Any, live_port: int | None, attribute: str | None
) -> None:
    settings.ATIENDE_LIVE_PORT = live_port
    body = signed_in(setup["agent"]).get(reverse("notifications")).content.decode()
    assert "data-workspace" in body
    if attribute is None:
        assert "data-live-port" not in body
    else:
        assert attribute in body

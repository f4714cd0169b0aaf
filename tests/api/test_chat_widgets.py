"""/api/v1/chat-widgets: admins only; the embed tag in every answer; origins and the pre-chat
form checked; bad input named with nothing written; a widget that had chats is kept."""

from __future__ import annotations

from typing import Any

import pytest

from atiende.accounts.models import Group
from atiende.messaging.chat import services as chat
from atiende.messaging.models import ChatWidget
from tests.api.conftest import fields, problem
from tests.factories import make_admin, make_agent, make_customer, make_group

pytestmark = pytest.mark.django_db

SITE = "https://www.example.com"
WIDGET = {"name": "Tienda online", "allowed_origins": [SITE]}


@pytest.fixture
def admin(as_user: Any) -> Any:
    return as_user(make_admin())


@pytest.fixture
def group() -> Group:
    return make_group("Ventas")


def test_create_read_list_update(admin: Any, group: Group) -> None:
    created = admin.post("/chat-widgets", {**WIDGET, "group_id": group.pk, "language": "en"})

    assert created.status_code == 201, created.content
    body = created.json()
    widget = ChatWidget.objects.get()
    assert body["public_id"] == widget.public_id
    assert body["group"] == {"id": group.pk, "name": "Ventas"}
    assert body["allowed_origins"] == [SITE] and body["language"] == "en"
    assert body["prechat_fields"] == [
        {"key": "name", "label": "", "required": False},
        {"key": "email", "label": "", "required": False},
    ]
    assert body["embed_snippet"] == (
        '<script src="http://127.0.0.1:8000/static/web/widget/atiende-chat.js" '
        f'data-widget="{widget.public_id}" async></script>'
    )
    assert body["chat_count"] == 0 and body["last_chat_at"] is None and body["active"]

    read = admin.get(f"/chat-widgets/{widget.pk}").json()
    assert {k: v for k, v in read.items() if k != "created_at"} == {
        k: v for k, v in body.items() if k != "created_at"
    }
    assert [w["id"] for w in admin.get("/chat-widgets").json()["items"]] == [widget.pk]

    changed = admin.patch(
        f"/chat-widgets/{widget.pk}",
        {
            "group_id": None,
            "allowed_origins": ["*"],
            "prechat_fields": [{"key": "order", "label": "Nº de pedido", "required": True}],
            "accent_color": "#0A7D4F",
            "bot_enabled": True,
        },
    )
    assert changed.status_code == 200, changed.content
    after = changed.json()
    assert after["group"] is None and after["allowed_origins"] == ["*"]
    assert after["prechat_fields"] == [{"key": "order", "label": "Nº de pedido", "required": True}]
    assert after["accent_color"] == "#0a7d4f" and after["bot_enabled"] is True
    assert after["name"] == "Tienda online" and after["public_id"] == widget.public_id


def test_chats_are_counted_and_keep_the_widget(admin: Any) -> None:
    unused = admin.post("/chat-widgets", WIDGET).json()
    used = admin.post("/chat-widgets", WIDGET).json()
    chat.open_chat(ChatWidget.objects.get(pk=used["id"]), chat.new_token(), chat.Visitor())

    assert admin.get(f"/chat-widgets/{used['id']}").json()["chat_count"] == 1
    assert admin.delete(f"/chat-widgets/{unused['id']}").status_code == 204
    refused = problem(admin.delete(f"/chat-widgets/{used['id']}"), 409)

    assert "deactivate" in refused["detail"]
    assert list(ChatWidget.objects.values_list("pk", flat=True)) == [used["id"]]
    problem(admin.delete(f"/chat-widgets/{unused['id']}"), 404)
    problem(admin.get(f"/chat-widgets/{unused['id']}"), 404)
    problem(admin.patch(f"/chat-widgets/{unused['id']}", {"name": "x"}), 404)
    assert admin.patch(f"/chat-widgets/{used['id']}", {"active": False}).json()["active"] is False


def test_only_admins(as_user: Any, group: Group) -> None:
    widget = as_user(make_admin()).post("/chat-widgets", WIDGET).json()
    for client in (as_user(make_agent(group)), as_user(make_customer())):
        problem(client.get("/chat-widgets"), 403)
        problem(client.get(f"/chat-widgets/{widget['id']}"), 403)
        problem(client.post("/chat-widgets", WIDGET), 403)
        problem(client.patch(f"/chat-widgets/{widget['id']}", {"name": "Mío"}), 403)
        problem(client.delete(f"/chat-widgets/{widget['id']}"), 403)
    assert list(ChatWidget.objects.values_list("name", flat=True)) == ["Tienda online"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**WIDGET, "allowed_origins": ["https://www.example.com/tienda"]}, "allowed_origins"),
        ({**WIDGET, "allowed_origins": ["https://*.example.com"]}, "allowed_origins"),
        ({**WIDGET, "allowed_origins": ["www.example.com"]}, "allowed_origins"),
        ({**WIDGET, "allowed_origins": [SITE] * 51}, "allowed_origins"),
        ({**WIDGET, "name": "x" * 201}, "name"),
        ({**WIDGET, "name": "  "}, "name"),
        ({**WIDGET, "group_id": 999_999}, "group_id"),
        ({**WIDGET, "accent_color": "red"}, "accent_color"),
        ({**WIDGET, "language": "fr"}, "language"),
        ({**WIDGET, "prechat_fields": [{"key": "Bad Key"}]}, "prechat_fields"),
        ({**WIDGET, "prechat_fields": [{"key": "order"}, {"key": "order"}]}, "prechat_fields"),
        ({**WIDGET, "prechat_fields": [{"key": f"q{n}"} for n in range(11)]}, "prechat_fields"),
        ({**WIDGET, "title": "t" * 101}, "title"),
        ({"allowed_origins": [SITE]}, "name"),
    ],
)
def test_bad_input_is_named_and_nothing_is_written(
    admin: Any, payload: dict[str, Any], field: str
) -> None:
    body = problem(admin.post("/chat-widgets", payload), 422)

    assert any(f == field or f.startswith(f"{field}.") for f in fields(body)), body
    assert not ChatWidget.objects.exists()


def test_an_inactive_group_is_refused(admin: Any, group: Group) -> None:
    widget = admin.post("/chat-widgets", WIDGET).json()
    Group.objects.filter(pk=group.pk).update(is_active=False)

    created = problem(admin.post("/chat-widgets", {**WIDGET, "group_id": group.pk}), 422)
    updated = problem(admin.patch(f"/chat-widgets/{widget['id']}", {"group_id": group.pk}), 422)

    assert fields(created) == fields(updated) == {"group_id"}
    assert list(ChatWidget.objects.values_list("group_id", flat=True)) == [None]


def test_a_bad_update_changes_nothing(admin: Any) -> None:
    widget = admin.post("/chat-widgets", WIDGET).json()

    body = problem(
        admin.patch(
            f"/chat-widgets/{widget['id']}",
            {"name": "Nuevo", "allowed_origins": ["ftp://files.example.com"], "title": "Hola"},
        ),
        422,
    )

    assert fields(body) == {"allowed_origins"}
    stored = ChatWidget.objects.get()
    assert (stored.name, stored.title, stored.allowed_origins) == ("Tienda online", "", [SITE])
    problem(admin.patch(f"/chat-widgets/{widget['id']}", {"name": None}), 422)

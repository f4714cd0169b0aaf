"""Chat widget settings: admins only, CSRF; the embed tag built on the site's address; the
pre-chat form as simple choices; allowed origins checked; bad input named next to its field
with nothing written; a widget that had chats is kept (deactivate it)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import Group, User
from atiende.messaging.chat import services as chat
from atiende.messaging.chat import widgets
from atiende.messaging.models import ChatWidget
from tests.factories import SYSTEM, make_admin, make_agent, make_customer, make_group

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SITE = "https://www.example.com"


def client_for(user: User, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


@pytest.fixture
def admin() -> User:
    return make_admin(name="Ada Admin")


@pytest.fixture
def as_admin(admin: User) -> Client:
    return client_for(admin)


@pytest.fixture
def group() -> Group:
    return make_group("Ventas")


def widget_form(group: Group | None = None, **changes: str) -> dict[str, str]:
    form = {
        "name": "Tienda online",
        "group_id": str(group.pk) if group else "",
        "allowed_origins": f"{SITE}\nhttp://localhost:8000/",
        "title": "¿Te ayudamos?",
        "greeting": "Hola, escríbenos.",
        "accent_color": "#0A7D4F",
        "language": "es",
        "prechat_name": "required",
        "prechat_email": "optional",
        "prechat_phone": "off",
        "prechat_other": "¿Número de pedido? *\nCiudad",
        "active": "on",
    }
    form.update(changes)
    return form


def make_widget(group: Group | None = None, **fields: Any) -> ChatWidget:
    return widgets.create_widget(
        SYSTEM, name="Tienda online", group_id=group.pk if group else None, **fields
    )


def had_a_chat(widget: ChatWidget) -> None:
    chat.open_chat(widget, chat.new_token(), chat.Visitor(page_url=f"{SITE}/"))


# --- who may come in --------------------------------------------------------------------------


def test_agents_customers_and_visitors_are_kept_out(group: Group) -> None:
    widget = make_widget(group)
    pages = [
        reverse("chat-widgets"),
        reverse("chat-widget-new"),
        reverse("chat-widget", args=[widget.pk]),
    ]
    actions = [
        (reverse("chat-widget-new"), widget_form(group)),
        (reverse("chat-widget", args=[widget.pk]), widget_form(group, name="Mío")),
        (reverse("chat-widget-active", args=[widget.pk]), {"active": "0"}),
        (reverse("chat-widget-delete", args=[widget.pk]), {}),
    ]
    agent, customer = client_for(make_agent(group)), client_for(make_customer())
    for url in pages:
        assert agent.get(url).status_code == 403, url
        assert customer.get(url).status_code == 403, url
        assert Client().get(url).status_code == 302, url
    for url, data in actions:
        assert agent.post(url, data).status_code == 403, url
        assert Client().post(url, data).status_code == 302, url

    stored = ChatWidget.objects.get()
    assert (stored.name, stored.active, stored.allowed_origins) == ("Tienda online", True, [])


def test_posts_need_the_csrf_token(admin: User, group: Group) -> None:
    widget = make_widget(group)
    client = client_for(admin, csrf=True)

    created = client.post(reverse("chat-widget-new"), widget_form(group, name="Otro"))
    stopped = client.post(reverse("chat-widget-active", args=[widget.pk]), {"active": "0"})
    deleted = client.post(reverse("chat-widget-delete", args=[widget.pk]))

    assert (created.status_code, stopped.status_code, deleted.status_code) == (403, 403, 403)
    assert list(ChatWidget.objects.values_list("name", "active")) == [("Tienda online", True)]


# --- list, create, edit -------------------------------------------------------------------------


def test_the_list_shows_group_sites_state_and_chats(as_admin: Client, group: Group) -> None:
    used = make_widget(group, allowed_origins=[SITE])
    had_a_chat(used)
    widgets.create_widget(SYSTEM, name="Cualquiera", allowed_origins=["*"], active=False)

    html = as_admin.get(reverse("chat-widgets")).content.decode()

    assert "Tienda online" in html and "Ventas" in html and SITE in html
    assert "Cualquiera" in html and "Any site" in html and "Inactive" in html
    assert reverse("chat-widget", args=[used.pk]) in html


def test_the_settings_menu_links_the_widgets(as_admin: Client) -> None:
    html = as_admin.get(reverse("channels-accounts")).content.decode()

    assert f'href="{reverse("chat-widgets")}"' in html


def test_creating_a_widget_stores_it_and_shows_the_embed_tag(
    as_admin: Client, group: Group
) -> None:
    answer = as_admin.post(reverse("chat-widget-new"), widget_form(group), follow=True)

    widget = ChatWidget.objects.get()
    html = answer.content.decode()
    assert answer.status_code == 200
    assert (widget.name, widget.group_id, widget.language) == ("Tienda online", group.pk, "es")
    assert widget.allowed_origins == [SITE, "http://localhost:8000"]
    assert widget.accent_color == "#0a7d4f" and widget.title == "¿Te ayudamos?"
    assert widget.prechat_fields == [
        {"key": "name", "label": "", "required": True},
        {"key": "email", "label": "", "required": False},
        {"key": "numero_de_pedido", "label": "¿Número de pedido?", "required": True},
        {"key": "ciudad", "label": "Ciudad", "required": False},
    ]
    script = "http://127.0.0.1:8000/static/web/widget/atiende-chat.js"
    assert (
        f"&lt;script src=&quot;{script}&quot; data-widget=&quot;{widget.public_id}&quot; "
        "async&gt;&lt;/script&gt;"
    ) in html
    assert 'data-copy="embed-snippet"' in html


def test_the_new_widget_page_asks_name_and_email_by_default(as_admin: Client) -> None:
    answer = as_admin.get(reverse("chat-widget-new"))

    html, form = answer.content.decode(), answer.context["form"]
    assert 'name="prechat_phone" value="required"' in html
    asked = {key: form[f"prechat_{key}"].value() for key in ("name", "email", "phone")}
    assert asked == {"name": "optional", "email": "optional", "phone": "off"}


def test_editing_keeps_the_keys_of_unchanged_questions(as_admin: Client, group: Group) -> None:
    widget = make_widget(
        group,
        prechat_fields=[
            {"key": "email", "label": "Tu correo", "required": True},
            {"key": "order", "label": "Nº de pedido", "required": False},
        ],
    )
    url = reverse("chat-widget", args=[widget.pk])
    html = as_admin.get(url).content.decode()
    assert "Nº de pedido</textarea>" in html

    answer = as_admin.post(
        url,
        widget_form(
            group,
            prechat_name="off",
            prechat_email="required",
            prechat_phone="optional",
            prechat_other="Nº de pedido *\nEmail",
        ),
    )

    assert answer.status_code == 302
    assert ChatWidget.objects.get().prechat_fields == [
        {"key": "email", "label": "Tu correo", "required": True},
        {"key": "phone", "label": "", "required": False},
        {"key": "order", "label": "Nº de pedido", "required": True},
        {"key": "email_2", "label": "Email", "required": False},
    ]


def test_deactivating_and_activating(as_admin: Client) -> None:
    widget = make_widget()
    url = reverse("chat-widget-active", args=[widget.pk])

    assert as_admin.post(url, {"active": "0"}).status_code == 302
    assert ChatWidget.objects.get().active is False
    page = as_admin.get(reverse("chat-widget", args=[widget.pk])).content.decode()
    assert "Activate widget" in page
    as_admin.post(url, {"active": "1"})
    assert ChatWidget.objects.get().active is True


def test_only_a_widget_without_chats_can_be_deleted(as_admin: Client) -> None:
    unused, used = make_widget(), make_widget()
    had_a_chat(used)

    gone = as_admin.post(reverse("chat-widget-delete", args=[unused.pk]))
    kept = as_admin.post(reverse("chat-widget-delete", args=[used.pk]), follow=True)

    assert gone.status_code == 302 and gone["Location"] == reverse("chat-widgets")
    assert "deactivate it instead" in kept.content.decode()
    assert list(ChatWidget.objects.values_list("pk", flat=True)) == [used.pk]
    assert as_admin.get(reverse("chat-widget", args=[unused.pk])).status_code == 404


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"allowed_origins": "https://www.example.com/tienda"}, "allowed_origins"),
        ({"allowed_origins": "https://*.example.com"}, "allowed_origins"),
        ({"allowed_origins": "www.example.com"}, "allowed_origins"),
        ({"allowed_origins": "javascript:alert(1)"}, "allowed_origins"),
        ({"name": "x" * 201}, "name"),
        ({"name": "   "}, "name"),
        ({"group_id": "999999"}, "group_id"),
        ({"accent_color": "red"}, "accent_color"),
        ({"language": "fr"}, "language"),
        ({"prechat_name": "always"}, "prechat_name"),
        ({"prechat_other": "x" * 101}, "prechat_other"),
        ({"prechat_other": "\n".join(f"Pregunta {n}" for n in range(8))}, "prechat_other"),
        ({"title": "t" * 101}, "title"),
    ],
)
def test_bad_input_is_named_next_to_its_field_and_nothing_is_written(
    as_admin: Client, group: Group, changes: dict[str, str], field: str
) -> None:
    answer = as_admin.post(reverse("chat-widget-new"), widget_form(group, **changes))

    assert answer.status_code == 422
    form = answer.context["form"]
    assert field in form.errors, form.errors
    assert not ChatWidget.objects.exists()


def test_an_inactive_group_is_refused(as_admin: Client, group: Group) -> None:
    widget = make_widget()
    Group.objects.filter(pk=group.pk).update(is_active=False)

    created = as_admin.post(reverse("chat-widget-new"), widget_form(group, name="Otro"))
    edited = as_admin.post(reverse("chat-widget", args=[widget.pk]), widget_form(group))

    for answer in (created, edited):
        assert answer.status_code == 422
        assert "group_id" in answer.context["form"].errors
    assert list(ChatWidget.objects.values_list("group_id", flat=True)) == [None]


def test_a_bad_edit_changes_nothing(as_admin: Client, group: Group) -> None:
    widget = make_widget(group, allowed_origins=[SITE])

    answer = as_admin.post(
        reverse("chat-widget", args=[widget.pk]),
        widget_form(group, name="Nuevo", allowed_origins=f"{SITE}\nhttps://a.example.com/x"),
    )

    assert answer.status_code == 422
    assert "https://a.example.com/x" in answer.context["form"].errors["allowed_origins"][0]
    stored = ChatWidget.objects.get()
    assert (stored.name, stored.allowed_origins) == ("Tienda online", [SITE])


def test_an_unknown_widget_is_a_404(as_admin: Client) -> None:
    assert as_admin.get(reverse("chat-widget", args=[999_999])).status_code == 404
    assert (
        as_admin.post(reverse("chat-widget-active", args=[999_999]), {"active": "1"}).status_code
        == 404
    )

"""The chat widget on another site's page, in a real browser: a visitor writes, an agent
answers from the workspace, the reply appears in the widget (desktop and phone width); with the
bot in front, the visitor first gets an article, then asks for a person."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from atiende.accounts.models import User
from atiende.accounts.services import note_seen
from atiende.kb.services import articles, structure
from atiende.messaging.chat.widgets import create_widget, update_widget
from atiende.messaging.models import ChatSession
from atiende.realtime import presence
from atiende.tickets import services as tickets
from atiende.tickets.models import Message, Ticket
from tests.e2e.conftest import Server, js_errors
from tests.e2e.test_realtime import open_live
from tests.factories import SYSTEM, make_agent, make_group, web

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@contextmanager
def shop_site(server: Server, public_id: str) -> Iterator[str]:
    """Another site that embeds the widget: a real HTTP server on loopback (Chrome lets only a
    page on loopback load a script from loopback), at ``localhost``, another origin than the
    Atiende server's ``127.0.0.1``."""
    html = (
        "<!doctype html><html lang='es'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>Tienda</title></head><body><h1>Tienda de ejemplo</h1>"
        f"<script src='{server.url}/static/web/widget/atiende-chat.js' "
        f"data-widget='{public_id}' async></script></body></html>"
    ).encode()

    class Shop(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Shop)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_a_visitor_chats_with_an_agent(
    new_page: Callable[..., Page],
    app_server: Server,
    screenshot: Callable[[Page, str], Path],
    phone: bool,
) -> None:
    group = make_group("Ventas")
    agent = make_agent(group, name="Ana Pérez")
    note_seen(agent.pk)
    widget = create_widget(SYSTEM, name="Tienda", group_id=group.pk, title="¿Te ayudamos?")
    page = new_page(phone=phone, locale="es-ES")
    with shop_site(app_server, widget.public_id) as shop:
        update_widget(SYSTEM, widget_id=widget.pk, changes={"allowed_origins": [shop]})
        page.goto(f"{shop}/productos/zapatillas")
        chat_on_the_page(page, group.pk, agent)
        session = ChatSession.objects.get()
        assert session.page_url == f"{shop}/productos/zapatillas"
    screenshot(page, "chat-widget")
    page.keyboard.press("Escape")  # closes, and the focus goes back to the launcher
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.get_by_role("button", name="Abrir el chat")).to_be_focused()
    assert js_errors(page) == []


def chat_on_the_page(page: Page, group_id: int, agent: User) -> None:
    launcher = page.get_by_role("button", name="Abrir el chat")
    launcher.click()
    dialog = page.get_by_role("dialog", name="¿Te ayudamos?")
    expect(dialog).to_be_visible()
    # The default form (name and email, optional): start, then write.
    dialog.get_by_label("Nombre").fill("Lucía")
    dialog.get_by_role("button", name="Empezar").click()
    box = dialog.get_by_role("textbox", name="Escribe tu mensaje…")
    expect(box).to_be_focused()
    box.fill("¿Tienen talle 38?")
    box.press("Enter")
    expect(dialog.get_by_role("listitem").filter(has_text="¿Tienen talle 38?")).to_be_visible()

    def ticket_written() -> Ticket | None:
        return Ticket.objects.filter(channel="chat").first()

    for _ in range(100):
        ticket = ticket_written()
        if ticket is not None:
            break
        page.wait_for_timeout(100)
    assert ticket is not None and ticket.group_id == group_id
    tickets.reply(web(agent), ticket_id=ticket.pk, body="¡Hola Lucía! Sí, queda uno.")
    # In the list, and announced to screen readers.
    expect(dialog.get_by_role("listitem").filter(has_text="Sí, queda uno.")).to_be_visible()
    expect(dialog.locator("[aria-live]").filter(has_text="Ana: ¡Hola Lucía!")).to_have_count(1)


ARTICLE = "Cómo cambiar o restablecer tu contraseña"


def _help_center() -> None:
    """One public Spanish article, written and published through the knowledge base's services."""
    category = structure.create_category(SYSTEM, names={"es": "Ayuda"})
    section = structure.create_section(SYSTEM, category_id=category.pk, names={"es": "Acceso"})
    draft = articles.create_article(
        SYSTEM,
        section_id=section.pk,
        language="es",
        title=ARTICLE,
        body="En la página de acceso pulsa ¿Has olvidado tu contraseña? y sigue el enlace.",
    )
    articles.publish(SYSTEM, translation_id=draft.pk)


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_bot_offers_an_article_then_a_person_takes_over(
    new_page: Callable[..., Page],
    app_server: Server,
    signed_in: Callable[..., Page],
    screenshot: Callable[[Page, str], Path],
    phone: bool,
) -> None:
    _help_center()
    group = make_group("Soporte")
    agent = make_agent(group, name="Ana Pérez", locale="es")
    note_seen(agent.pk)
    widget = create_widget(
        SYSTEM, name="Tienda", group_id=group.pk, title="¿Te ayudamos?", bot_enabled=True
    )
    visitor = new_page(phone=phone, locale="es-ES")
    with shop_site(app_server, widget.public_id) as shop:
        update_widget(SYSTEM, widget_id=widget.pk, changes={"allowed_origins": [shop]})
        visitor.goto(f"{shop}/cuenta/acceso")
        dialog = ask_the_bot(visitor)
        screenshot(visitor, "chat-bot-article")

        # "No, talk to a person": the buttons go, the bot hands over.
        dialog.locator("button[data-code='person']").click()
        expect(dialog.locator(".qr button")).to_have_count(0)
        expect(dialog.get_by_role("textbox", name="Escribe tu mensaje…")).to_be_focused()
        session = wait_for(visitor, lambda: ChatSession.objects.filter(handled_by="queue").first())
        ticket = Ticket.objects.get(pk=session.ticket_id)
        expect(dialog.locator(".bot")).to_have_count(3)  # offer, article list, hand-over

        # The agent opens the chat's ticket: where the visitor is, and that they type.
        desk = signed_in(new_page(locale="es-ES"), agent)
        open_live(desk, f"/tickets/{ticket.pk}/")
        panel = desk.locator("[data-chat-visitor]")
        expect(panel).to_contain_text(f"{shop}/cuenta/acceso")
        wait_for(desk, lambda: presence.viewers(ticket.pk) or None)  # the page watches it
        visitor_types(dialog, panel.locator("[data-chat-typing]"), "Es la cuenta de Lucía")
        dialog.get_by_role("textbox", name="Escribe tu mensaje…").press("Enter")
        expect(desk.locator("#timeline")).to_contain_text("Es la cuenta de Lucía")

        # The agent types (the visitor sees it) and answers from the composer.
        composer = desk.locator("textarea[data-composer]")
        composer.fill("Hola Lucía, soy Ana: te envío el enlace.")
        expect(dialog.locator(".typing")).to_contain_text("Ana está escribiendo…")
        desk.locator("#composer").get_by_role("button", name="Enviar", exact=True).click()
        answer = dialog.get_by_role("listitem").filter(has_text="te envío el enlace")
        expect(answer).to_be_visible()
        expect(answer.locator("small")).to_have_text("Ana")
        screenshot(visitor, "chat-bot-handed-over")
        screenshot(desk, "chat-bot-agent-ticket")

    # The whole conversation is the ticket's: the visitor, the bot, the agent.
    transcript = list(
        Message.objects.filter(ticket=ticket, public=True)
        .order_by("pk")
        .values_list("author_id", "body_text")
    )
    requester = ticket.requester_id
    assert [author for author, _text in transcript] == [
        requester,  # the question
        None,  # the bot's offer
        requester,  # "no, a person"
        None,  # the hand-over
        requester,  # "Es la cuenta de Lucía"
        agent.pk,  # the agent's answer
    ]
    assert ARTICLE in transcript[1][1]
    assert js_errors(visitor) == [] and js_errors(desk) == []


def ask_the_bot(page: Page) -> Locator:
    """Open the widget, answer the form, ask in Spanish; the bot's article is offered."""
    page.get_by_role("button", name="Abrir el chat").click()
    dialog = page.get_by_role("dialog", name="¿Te ayudamos?")
    dialog.get_by_label("Nombre").fill("Lucía")
    dialog.get_by_role("button", name="Empezar").click()
    box = dialog.get_by_role("textbox", name="Escribe tu mensaje…")
    box.fill("no puedo cambiar mi contrasena")
    box.press("Enter")
    # The bot speaks as the bot, with its article as a safe link opening in a new tab.
    said = dialog.locator(".bot").filter(has_text=ARTICLE).first
    expect(said.locator("small")).to_have_text("Asistente")
    link = dialog.get_by_role("link", name=ARTICLE)
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(link).to_have_attribute("href", re.compile(r"^https?://.+/help/es/articles/\d+"))
    choices = dialog.get_by_role("group", name="Respuestas rápidas")
    expect(choices.get_by_role("button")).to_have_count(2)
    return dialog


def visitor_types(dialog: Locator, indicator: Locator, text: str) -> None:
    """The visitor types ``text``; the agent sees "The visitor is typing…". The widget tells at
    most every 2.5 s and the agent's page shows it for 6 s: a visitor still typing is told
    again (on a loaded machine one tell may come and go between two looks)."""
    box = dialog.get_by_role("textbox", name="Escribe tu mensaje…")
    box.fill(text)
    for _ in range(3):
        try:
            expect(indicator).to_be_visible(timeout=4000)
            return
        except AssertionError:
            box.press("End")
            box.press_sequentially(" ")
    expect(indicator).to_be_visible()


def wait_for(page: Page, find: Callable[[], Any], tries: int = 100) -> Any:
    """What ``find`` returns once it is not None (the server writes in its own process)."""
    for _ in range(tries):
        found = find()
        if found is not None:
            return found
        page.wait_for_timeout(100)
    raise AssertionError("not written in 10 s")


def test_the_visitor_opens_the_file_an_agent_sent(
    new_page: Callable[..., Page],
    app_server: Server,
    screenshot: Callable[[Page, str], Path],
    settings: Any,
) -> None:
    """An agent's reply with a PDF: the widget lists it by name and size as a link (signed for
    this chat, on the help desk's address) that downloads the file."""
    from tests.messaging.channels.media_files import PDF, attach

    assert app_server.data_dir is not None
    settings.MEDIA_ROOT = app_server.data_dir / "media"  # stored where the server reads it
    group = make_group("Ventas")
    agent = make_agent(group, name="Ana Pérez")
    note_seen(agent.pk)
    widget = create_widget(SYSTEM, name="Tienda", group_id=group.pk, title="¿Te ayudamos?")
    page = new_page(locale="es-ES")
    with shop_site(app_server, widget.public_id) as shop:
        update_widget(SYSTEM, widget_id=widget.pk, changes={"allowed_origins": [shop]})
        page.goto(f"{shop}/pedidos")
        chat_on_the_page(page, group.pk, agent)
        ticket = Ticket.objects.get(channel="chat")
        pdf = attach(agent, ticket, "factura de marzo.pdf", PDF)
        tickets.reply(
            web(agent), ticket_id=ticket.pk, body="Te adjunto la factura.", attachment_ids=[pdf.pk]
        )
        dialog = page.get_by_role("dialog", name="¿Te ayudamos?")
        files = dialog.get_by_role("list", name="Archivos adjuntos")
        link = files.get_by_role("link", name=re.compile(r"^factura de marzo\.pdf \(\d+ B\)"))
        expect(link).to_be_visible()
        expect(link).to_have_attribute("target", "_blank")
        expect(link).to_have_attribute("rel", "noopener noreferrer")
        href = link.get_attribute("href") or ""
        assert href.startswith(f"{app_server.url}/chat/files/"), href
        screenshot(page, "chat-widget-file")
        download = page.request.get(href)
        assert download.status == 200 and download.body() == PDF
        assert download.headers["content-disposition"].startswith("attachment")
        assert download.headers["x-content-type-options"] == "nosniff"
        assert page.request.get(href.replace("/chat/files/", "/chat/files/x")).status == 404
    assert js_errors(page) == []

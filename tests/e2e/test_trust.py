"""Workspace trust (issue 13 §4), in Spanish, in Chromium, with live updates on: a ticket that
leaves the agent's sight, a reply held when a colleague's arrived live, accent-blind search,
live inbox rows, focus kept for the keyboard, translated confirmations and history."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from atiende.tickets.models import Message, Ticket
from tests.e2e.conftest import Server, js_errors
from tests.e2e.test_realtime import api, open_live
from tests.factories import make_agent, make_customer, make_group, make_ticket

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SPANISH = "es-ES"


def version(ticket: Ticket) -> int:
    return Ticket.objects.get(pk=ticket.pk).version


def no_raw_errors(page: Page) -> None:
    expect(page.locator("body")).not_to_contain_text("Not Found")
    assert js_errors(page) == []


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_moving_a_ticket_out_of_sight_says_so_and_goes_to_the_inbox(
    new_page: Callable[..., Page], signed_in: Callable[..., Page], phone: bool
) -> None:
    support, billing = make_group("Soporte"), make_group("Facturación")
    agent = make_agent(support, name="Ana Pérez")
    ticket = make_ticket(make_customer(), group_id=support.pk, subject="Impresora rota")
    page = signed_in(new_page(locale=SPANISH, phone=phone), agent)
    page.goto(f"/tickets/{ticket.pk}/")

    page.locator("#field-group-value .edit-button").click()
    page.locator("#field-group-value select").select_option(label="Facturación")
    page.locator("#field-group-value").get_by_role("button", name="Guardar").click()

    expect(page).to_have_url(re.compile(r"/inbox/"))
    expect(page.locator(".flash")).to_contain_text(f"#{ticket.number}")
    no_raw_errors(page)
    assert Ticket.objects.get(pk=ticket.pk).group_id == billing.pk


def test_a_colleague_moving_the_open_ticket_away_takes_the_agent_to_the_inbox(
    new_page: Callable[..., Page], signed_in: Callable[..., Page], app_server: Server
) -> None:
    support, billing = make_group("Soporte"), make_group("Facturación")
    agent = make_agent(support, name="Ana Pérez")
    boss = make_agent(support, billing, name="Jefa")
    ticket = make_ticket(make_customer(), group_id=support.pk, subject="Factura doble")
    page = signed_in(new_page(locale=SPANISH), agent)
    open_live(page, f"/tickets/{ticket.pk}/")

    answer = api(
        app_server, boss, "PATCH", f"/tickets/{ticket.pk}",
        version=version(ticket), group_id=billing.pk,
    )  # fmt: skip

    assert answer.status_code == 200, answer.text
    expect(page).to_have_url(re.compile(r"/inbox/"))
    expect(page.locator(".flash")).to_be_visible()
    no_raw_errors(page)


def test_a_missing_page_is_translated_inside_the_workspace(
    new_page: Callable[..., Page], signed_in: Callable[..., Page]
) -> None:
    agent = make_agent(make_group("Soporte"))
    page = signed_in(new_page(locale=SPANISH, phone=True), agent)
    answer = page.goto("/tickets/987654/")
    assert answer is not None and answer.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Ticket no encontrado")
    expect(page.locator("#sidebar")).to_be_attached()
    page.get_by_role("link", name=re.compile("bandeja|inbox", re.IGNORECASE)).last.click()
    expect(page).to_have_url(re.compile(r"/inbox/"))
    no_raw_errors(page)


def test_a_reply_typed_while_a_colleagues_arrives_live_is_held(
    new_page: Callable[..., Page], signed_in: Callable[..., Page]
) -> None:
    group = make_group("Soporte")
    ana, bea = make_agent(group, name="Ana Pérez"), make_agent(group, name="Bea Ruiz")
    ticket = make_ticket(make_customer(), group_id=group.pk, subject="¿Quién contesta?")
    mine = signed_in(new_page(locale=SPANISH), ana)
    theirs = signed_in(new_page(locale=SPANISH, phone=True), bea)
    open_live(mine, f"/tickets/{ticket.pk}/")
    open_live(theirs, f"/tickets/{ticket.pk}/")
    box = mine.locator("#composer textarea")
    send = mine.locator("#composer").get_by_role("button", name="Enviar", exact=True)

    def colleague_replies(text: str, *, having_read: str = "") -> None:
        # Bea answers after reading what Ana wrote: a reply she types before Ana's reaches her
        # screen is held too, rightly (she has not seen it).
        if having_read:
            expect(
                theirs.locator("#timeline .message").filter(has_text=having_read)
            ).to_be_visible()
        theirs.locator("#composer textarea").fill(text)
        theirs.locator("#composer").get_by_role("button", name="Enviar", exact=True).tap()
        expect(mine.locator("#timeline .message").filter(has_text=text)).to_be_visible()

    # Arriving while Ana's composer is empty, Bea's reply counts as read: no warning.
    colleague_replies("Bea: ya lo miro yo.")
    box.fill("Ana: gracias, Bea.")
    send.click()
    expect(mine.locator("#timeline .message").filter(has_text="gracias, Bea")).to_be_visible()
    expect(mine.locator("#composer .collision")).to_have_count(0)

    # Arriving while Ana types, it holds her reply with a warning.
    box.fill("Ana: le escribo al cliente ahora.")
    colleague_replies("Bea: ¡ya le escribí yo!", having_read="gracias, Bea")
    send.click()
    warning = mine.locator("#composer .collision")
    expect(warning).to_contain_text("Bea Ruiz")
    expect(warning).to_contain_text("¡ya le escribí yo!")
    assert not Message.objects.filter(
        ticket=ticket, body_text__contains="al cliente ahora"
    ).exists()
    expect(box).to_have_value("Ana: le escribo al cliente ahora.")

    warning.get_by_role("button", name="Enviar de todos modos").click()
    expect(mine.locator("#timeline .message").filter(has_text="al cliente ahora")).to_be_visible()
    assert js_errors(mine) == [] and js_errors(theirs) == []


def test_inbox_rows_follow_changes_made_elsewhere(
    new_page: Callable[..., Page], signed_in: Callable[..., Page], app_server: Server
) -> None:
    group = make_group("Soporte")
    agent, colleague = make_agent(group, name="Ana Pérez"), make_agent(group, name="Bea Ruiz")
    printer = make_ticket(make_customer(), group_id=group.pk, subject="Impresora")
    vpn = make_ticket(make_customer(), group_id=group.pk, subject="VPN caída")
    page = signed_in(new_page(locale=SPANISH), agent)
    open_live(page, "/inbox/")
    row = page.locator(f"#ticket-row-{printer.pk}")
    row.locator('input[name="ids"]').check()

    answer = api(
        app_server, colleague, "PATCH", f"/tickets/{printer.pk}",
        version=version(printer), priority="urgent", subject="Impresora en llamas",
        assignee_id=colleague.pk,
    )  # fmt: skip
    assert answer.status_code == 200, answer.text

    expect(row).to_contain_text("Impresora en llamas")
    expect(row).to_contain_text("Urgente")
    expect(row).to_contain_text("Bea Ruiz")
    expect(row.locator('input[name="ids"]')).to_be_checked()

    answer = api(
        app_server, colleague, "PATCH", f"/tickets/{vpn.pk}",
        version=version(vpn), status="solved",
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    expect(page.locator(f"#ticket-row-{vpn.pk}")).to_have_count(0)
    expect(row).to_be_visible()
    no_raw_errors(page)


def test_focus_stays_with_the_keyboard_after_editing_and_replying(
    new_page: Callable[..., Page], signed_in: Callable[..., Page]
) -> None:
    group = make_group("Soporte")
    agent = make_agent(group, name="Ana Pérez")
    ticket = make_ticket(make_customer(), group_id=group.pk, subject="Teclado")
    page = signed_in(new_page(locale=SPANISH), agent)
    page.goto(f"/tickets/{ticket.pk}/")
    edit = page.locator("#field-priority-value .edit-button")

    edit.focus()
    page.keyboard.press("Enter")
    choice = page.locator("#field-priority-value select")
    expect(choice).to_be_focused()
    choice.select_option("urgent")  # a select's value, as the arrow keys would set it
    page.keyboard.press("Tab")
    expect(
        page.locator("#field-priority-value").get_by_role("button", name="Guardar")
    ).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#field-priority-value")).to_contain_text("Urgente")
    expect(page.locator("#field-priority-value .edit-button")).to_be_focused()

    # Cancel with Escape returns to the edit button too.
    page.keyboard.press("Enter")
    expect(choice).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#field-priority-value .edit-button")).to_be_focused()

    box = page.locator("#composer textarea")
    box.focus()
    page.keyboard.type("Hola, ya está resuelto.")
    page.locator("#composer").get_by_role("button", name="Enviar", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.locator("#timeline .message").filter(has_text="ya está resuelto")).to_be_visible()
    expect(page.locator("#composer textarea")).to_be_focused()
    expect(page.locator("#composer textarea")).to_have_value("")
    no_raw_errors(page)


@pytest.mark.parametrize("query", ["vazquez", "VAZQUEZ"])
def test_search_finds_names_without_accents_on_a_phone(
    new_page: Callable[..., Page], signed_in: Callable[..., Page], query: str
) -> None:
    group = make_group("Soporte")
    agent = make_agent(group)
    ramon = make_customer(name="Ramón Vázquez", email="ramon@example.com")
    ticket = make_ticket(ramon, group_id=group.pk, subject="No llega la factura")
    page = signed_in(new_page(locale=SPANISH, phone=True), agent)
    page.goto(f"/search/?q={query}&tab=tickets")
    expect(page.locator("main")).to_contain_text("No llega la factura")
    expect(page.locator("main")).to_contain_text(f"#{ticket.number}")
    page.goto(f"/search/?q={query}&tab=customers")
    expect(page.locator("main")).to_contain_text("Ramón Vázquez")
    no_raw_errors(page)


def test_confirmations_and_history_read_in_spanish(
    new_page: Callable[..., Page], signed_in: Callable[..., Page]
) -> None:
    group = make_group("Soporte")
    agent = make_agent(group, name="Ana Pérez")
    ticket = make_ticket(make_customer(), group_id=group.pk, subject="Idioma")
    page = signed_in(new_page(locale=SPANISH), agent)
    page.goto("/account/preferences/")
    page.get_by_role("button", name="Guardar").click()
    expect(page.locator(".flash")).to_have_text("Preferencias guardadas.")

    page.goto(f"/tickets/{ticket.pk}/")
    page.locator("#field-priority-value .edit-button").click()
    page.locator("#field-priority-value select").select_option("urgent")
    page.locator("#field-priority-value").get_by_role("button", name="Guardar").click()
    expect(page.locator("#timeline")).to_contain_text(
        "Ana Pérez cambió la prioridad de Normal a Urgente"
    )
    no_raw_errors(page)

"""Workspace tools in a browser: bulk close/merge ask first, merge or link from the ticket page,
drafts across devices, pasted images, each message's channel, filters by name (issue 13 §4)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from atiende.tickets import services
from atiende.tickets.models import Attachment, Ticket, TicketLink
from atiende.tickets.selectors import my_draft
from tests.e2e.conftest import js_errors
from tests.e2e.test_workspace import horizontal_overflow
from tests.factories import make_agent, make_customer, make_group, make_org, make_ticket, web

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# A 1x1 PNG, as a screenshot tool puts on the clipboard.
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQ"
    "AAAABJRU5ErkJggg=="
)
PASTE = """([base64, type, name]) => {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, { type }));
  const box = document.querySelector("textarea[data-composer]");
  box.focus();
  const paste = { clipboardData: data, bubbles: true, cancelable: true };
  box.dispatchEvent(new ClipboardEvent("paste", paste));
}"""


def test_bulk_close_asks_first_and_reports_what_it_skipped_in_spanish(
    new_page: Callable[..., Page],
    signed_in: Callable[..., Page],
    screenshot: Callable[[Page, str], Path],
) -> None:
    group = make_group("Soporte")
    agent = make_agent(group, locale="es")
    tickets = [make_ticket(group_id=group.pk, subject=f"Impresión lenta {i}") for i in range(3)]
    page = signed_in(new_page(locale="es-ES"), agent)
    page.goto("/inbox/")

    for ticket in tickets:
        page.locator(f'#inbox-rows input[name="ids"][value="{ticket.pk}"]').check()
    page.locator('button[name="action"][value="close"]').first.click()

    question = page.locator("#bulk-result [data-bulk-confirm]")
    expect(question).to_contain_text("3")
    expect(page.locator("[data-bulk-confirm-yes]")).to_be_focused()
    screenshot(page, "bulk-close-confirm")
    assert not Ticket.objects.filter(status__category="closed").exists()  # nothing happened yet
    # Meanwhile a colleague closes one of them: it is reported as skipped, with the reason.
    done = tickets[2]
    services.change_status(web(agent), ticket_id=done.pk, status="closed")
    page.locator("[data-bulk-confirm-yes]").click()

    summary = page.locator("#bulk-result [data-bulk-summary]")
    expect(summary).to_contain_text("2")
    expect(summary).to_contain_text(f"#{done.number}")
    assert Ticket.objects.filter(status__category="closed").count() == 3
    assert js_errors(page) == []


def test_bulk_merge_confirm_can_be_cancelled(page: Page, signed_in: Callable[..., Page]) -> None:
    group = make_group("Support")
    agent = make_agent(group)
    target = make_ticket(group_id=group.pk, subject="The original")
    dup = make_ticket(group_id=group.pk, subject="A copy")
    signed_in(page, agent)
    page.goto("/inbox/")

    page.locator(f'#inbox-rows input[name="ids"][value="{dup.pk}"]').check()
    page.locator("#bulk-merge-target").fill(str(target.number))
    page.get_by_role("button", name="Merge", exact=True).click()
    expect(page.locator("[data-bulk-confirm]")).to_contain_text(
        f"Merge 1 ticket into #{target.number} “The original”?"
    )
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator("[data-bulk-confirm]")).to_have_count(0)
    assert Ticket.objects.get(pk=dup.pk).merged_into_id is None

    page.get_by_role("button", name="Merge", exact=True).click()
    page.get_by_role("button", name="Yes, merge them").click()
    expect(page.locator("[data-bulk-summary]")).to_contain_text(
        f"1 ticket merged into #{target.number}"
    )
    assert Ticket.objects.get(pk=dup.pk).merged_into_id == target.pk


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_link_and_merge_from_the_ticket_page(
    new_page: Callable[..., Page],
    signed_in: Callable[..., Page],
    screenshot: Callable[[Page, str], Path],
    phone: bool,
) -> None:
    group = make_group("Support")
    agent = make_agent(group)
    ticket = make_ticket(group_id=group.pk, subject="Router reboots at night")
    other = make_ticket(group_id=group.pk, subject="Router reinicia de noche")
    hidden = make_ticket(group_id=make_group().pk, subject="Router secreto")
    page = signed_in(new_page(phone=phone), agent)
    page.goto(f"/tickets/{ticket.pk}/")

    page.get_by_label("Other ticket: number or words of its subject").fill("router")
    results = page.locator("#relate-results")
    expect(results).to_contain_text(f"#{other.number} Router reinicia de noche")
    expect(results).not_to_contain_text("secreto")
    assert hidden.number is not None
    results.locator(f"#relate-action-{other.pk}").select_option("related")
    results.get_by_role("button", name="Continue").click()
    expect(page.locator("[data-relate-confirm]")).to_contain_text(f"#{other.number}")
    expect(page.locator("[data-relate-yes]")).to_be_focused()
    screenshot(page, "relate-confirm")
    page.locator("[data-relate-yes]").click()
    expect(page.locator("[data-relate-done]")).to_contain_text(f"Linked to #{other.number}.")
    expect(page.locator("#related-box")).to_contain_text("Router reinicia de noche")
    assert TicketLink.objects.filter(source=ticket, target=other, kind="related").exists()

    page.get_by_label("Other ticket: number or words of its subject").fill(f"#{other.number}")
    results.locator(f"#relate-action-{other.pk}").select_option("merge")
    results.get_by_role("button", name="Continue").click()
    expect(page.locator("[data-relate-confirm]")).to_contain_text("A merge cannot be undone.")
    page.locator("[data-relate-yes]").click()
    expect(page).to_have_url(re.compile(rf"/tickets/{other.pk}/$"))
    assert Ticket.objects.get(pk=ticket.pk).merged_into_id == other.pk
    if phone:
        assert horizontal_overflow(page) <= 0
    assert js_errors(page) == []


def test_a_draft_follows_the_agent_to_another_device_and_goes_when_sent(
    new_page: Callable[..., Page], signed_in: Callable[..., Page]
) -> None:
    group = make_group("Soporte")
    agent = make_agent(group, locale="es")
    colleague = make_agent(group)
    ticket = make_ticket(group_id=group.pk, subject="Facturación")
    desk = signed_in(new_page(locale="es-ES"), agent)
    desk.goto(f"/tickets/{ticket.pk}/")

    desk.locator('input[name="public"][value="0"]').check()
    desk.locator("textarea[data-composer]").fill("Revisar la factura de diciembre, ¿ñandú?")
    expect(desk.locator("[data-draft-status]")).to_have_text("Borrador guardado.")
    draft = my_draft(web(agent), ticket)
    assert draft is not None and draft.public is False

    phone = signed_in(new_page(phone=True, locale="es-ES"), agent)
    phone.goto(f"/tickets/{ticket.pk}/")
    expect(phone.locator("textarea[data-composer]")).to_have_value(
        "Revisar la factura de diciembre, ¿ñandú?"
    )
    expect(phone.locator('input[name="public"][value="0"]')).to_be_checked()

    other = signed_in(new_page(), colleague)
    other.goto(f"/tickets/{ticket.pk}/")
    expect(other.locator("textarea[data-composer]")).to_have_value("")

    phone.locator(".composer-actions button[type=submit]").first.click()
    expect(phone.locator("textarea[data-composer]")).to_have_value("")
    expect(phone.locator("#timeline")).to_contain_text("Revisar la factura de diciembre")
    assert my_draft(web(agent), ticket) is None
    desk.reload()
    expect(desk.locator("textarea[data-composer]")).to_have_value("")
    assert js_errors(desk) == [] and js_errors(phone) == []


def test_pasting_an_image_attaches_it_and_bad_pastes_say_why(
    page: Page, signed_in: Callable[..., Page]
) -> None:
    group = make_group("Support")
    agent = make_agent(group)
    ticket = make_ticket(group_id=group.pk, subject="Screen is blank")
    signed_in(page, agent)
    page.goto(f"/tickets/{ticket.pk}/")

    page.evaluate(PASTE, [PNG, "image/png", "image.png"])
    chip = page.locator("#composer-attachments .chip")
    expect(chip).to_have_count(1)
    expect(chip).to_contain_text(re.compile(r"pasted-image-\d{4}-\d\d-\d\d-\d{6}\.png"))
    stored = Attachment.objects.get(ticket=ticket)
    assert stored.content_type == "image/png"

    page.evaluate(PASTE, [PNG, "image/tiff", "scan.tiff"])
    expect(page.locator("[data-paste-error]")).to_contain_text("Only PNG, JPEG, GIF and WebP")
    expect(chip).to_have_count(1)

    page.locator("textarea[data-composer]").fill("See the screenshot")
    page.locator(".composer-actions button[type=submit]").first.click()
    expect(page.locator("#timeline")).to_contain_text("pasted-image-")
    assert Attachment.objects.get(pk=stored.pk).message_id is not None
    assert js_errors(page) == []


def test_a_pasted_image_over_the_limit_is_refused_before_upload(
    page: Page, signed_in: Callable[..., Page]
) -> None:
    group = make_group("Support")
    agent = make_agent(group)
    ticket = make_ticket(group_id=group.pk)
    signed_in(page, agent)
    page.goto(f"/tickets/{ticket.pk}/")
    page.locator("form[data-composer-form]").evaluate(
        "form => form.setAttribute('data-paste-max', '10')"
    )

    page.evaluate(PASTE, [PNG, "image/png", "image.png"])

    expect(page.locator("[data-paste-error]")).to_contain_text("larger than the limit")
    expect(page.locator("#composer-attachments .chip")).to_have_count(0)
    assert not Attachment.objects.filter(ticket=ticket).exists()


def test_each_message_shows_its_channel(page: Page, signed_in: Callable[..., Page]) -> None:
    group = make_group("Support")
    agent = make_agent(group)
    ticket = make_ticket(group_id=group.pk, subject="Called in")
    services.add_message(
        web(agent), ticket_id=ticket.pk, body="Phoned the customer", public=False, channel="phone"
    )
    signed_in(page, agent)
    page.goto(f"/tickets/{ticket.pk}/")

    call = page.locator(".message", has_text="Phoned the customer")
    expect(call.locator(".channel-badge")).to_have_text(re.compile(r"📞\s+Phone"))
    expect(page.locator('.channel-badge[data-channel="web"]').first).to_contain_text("Web form")


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_requester_filter_by_typed_name_with_the_keyboard(
    new_page: Callable[..., Page], signed_in: Callable[..., Page], phone: bool
) -> None:
    group = make_group("Soporte")
    agent = make_agent(group, locale="es")
    org = make_org("Ácme Logística")
    maria = make_customer(name="María Núñez", email="maria@acme.example", organization_id=org.pk)
    mine = make_ticket(maria, group_id=group.pk, subject="Factura de María")
    make_ticket(make_customer(name="Pedro"), group_id=group.pk, subject="Pedido de Pedro")
    page = signed_in(new_page(phone=phone, locale="es-ES"), agent)
    page.goto("/inbox/?filters=1")

    box = page.locator("#id_requester")
    box.fill("marí")
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    expect(page.locator(f"#requester-option-{maria.pk}")).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(box).to_have_value("María Núñez <maria@acme.example>")
    expect(page.locator("#id_requester_id")).to_have_value(str(maria.pk))
    page.locator(".inbox-filters form button[type=submit]").first.click()

    expect(page.locator("#inbox-rows tr")).to_have_count(1)
    expect(page.locator(f"#ticket-row-{mine.pk}")).to_be_visible()
    if phone:
        assert horizontal_overflow(page) <= 0
    assert js_errors(page) == []

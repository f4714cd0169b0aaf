"""Notification templates: lookup order, placeholders, validation, admin-only writes."""

from __future__ import annotations

import pytest

from atiende.core.errors import Forbidden, Invalid, NotFound
from atiende.messaging import templates
from atiende.messaging.models import InboundMethod, Mailbox, NotificationTemplate, OutboundKind
from atiende.tickets import services as tickets
from tests.factories import make_admin, make_agent, make_customer, make_ticket, web

pytestmark = pytest.mark.django_db


def _mailbox(address: str = "soporte@example.com", **fields: object) -> Mailbox:
    fields.setdefault("inbound_method", InboundMethod.UPLOAD)
    return Mailbox.objects.create(address=address, **fields)


def test_builtin_defaults_exist_for_every_kind_and_language() -> None:
    ticket = make_ticket(make_customer(name="Ana Torres"), subject="Printer on fire")
    for kind in templates.KINDS:
        for language in templates.LANGUAGES:
            subject, text, html = templates.render_notification(
                kind, language=language, mailbox=None, ticket=ticket
            )
            assert f"#{ticket.number}" in subject
            assert "Ana" in text
            assert "{{" not in subject + text
            assert html.startswith("<p>")


def test_language_variants_and_unknown_languages() -> None:
    ticket = make_ticket(subject="Hola")
    spanish = templates.render_notification(
        OutboundKind.RECEIVED, language="es-MX", mailbox=None, ticket=ticket
    )
    assert "Hemos recibido" in spanish[0]
    german = templates.render_notification(
        OutboundKind.RECEIVED, language="de", mailbox=None, ticket=ticket
    )
    assert "We received" in german[0]


def test_lookup_order_mailbox_then_default_then_builtin() -> None:
    admin = web(make_admin())
    mailbox = _mailbox(brand_name="Acme")
    ticket = make_ticket(subject="Broken")
    templates.save_template(
        admin, kind="solved", language="en", subject="Default {{ ticket.number }}", body="D"
    )
    templates.save_template(
        admin,
        kind="solved",
        language="en",
        mailbox_id=mailbox.pk,
        subject="Own {{ brand.name }}",
        body="Bye {{ customer.name }}",
    )
    subject, text, _ = templates.render_notification(
        "solved", language="en", mailbox=mailbox, ticket=ticket
    )
    assert subject == "Own Acme"
    assert text == f"Bye {ticket.requester.display_name}"
    other = _mailbox("other@example.com")
    subject, _, _ = templates.render_notification(
        "solved", language="en", mailbox=other, ticket=ticket
    )
    assert subject == f"Default {ticket.number}"
    templates.reset_template(admin, kind="solved", language="en")
    subject, _, _ = templates.render_notification(
        "solved", language="en", mailbox=other, ticket=ticket
    )
    assert subject.startswith(f"[#{ticket.number}] Solved")


def test_saving_twice_replaces_the_row() -> None:
    admin = web(make_admin())
    templates.save_template(admin, kind="received", language="es", subject="A", body="B")
    templates.save_template(admin, kind="received", language="es", subject="C", body="D")
    row = NotificationTemplate.objects.get()
    assert (row.subject, row.body) == ("C", "D")


def test_replied_fills_message_text_and_author() -> None:
    agent = make_agent(name="Laura Vidal")
    ticket = make_ticket(subject="Invoice")
    message = tickets.add_message(
        web(agent), ticket_id=ticket.pk, body="Here is your invoice.", public=True
    )
    _, text, html = templates.render_notification(
        "replied", language="en", mailbox=None, ticket=ticket, message=message
    )
    assert "Laura Vidal" in text
    assert "Here is your invoice." in text
    assert "Here is your invoice." in html


def test_values_are_escaped_in_html_and_kept_on_one_line_in_the_subject() -> None:
    customer = make_customer(name="<b>Eve</b>")
    ticket = make_ticket(customer, subject="Line one")
    ticket.subject = "Line one\nBcc: victim@example.com"
    subject, text, html = templates.render_notification(
        "received", language="en", mailbox=None, ticket=ticket
    )
    assert "\n" not in subject
    assert "<b>" in text
    assert "<b>" not in html and "&lt;b&gt;" in html


def test_unknown_placeholder_is_refused_with_the_field() -> None:
    with pytest.raises(Invalid) as caught:
        templates.save_template(
            web(make_admin()),
            kind="received",
            language="en",
            subject="Hi {{ ticket.numbr }}",
            body="{{ customer.password }} and {{ ticket.number }}",
        )
    fields = {e.field: str(e.message) for e in caught.value.errors}
    assert "{{ ticket.numbr }}" in fields["subject"]
    assert "{{ customer.password }}" in fields["body"]
    assert "{{ ticket.number }}" in fields["body"]  # the allowed list is named
    assert not NotificationTemplate.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "reply"}, "kind"),
        ({"kind": "nonsense"}, "kind"),
        ({"language": "fr"}, "language"),
        ({"subject": "   "}, "subject"),
        ({"body": ""}, "body"),
        ({"subject": "x" * 300}, "subject"),
    ],
)
def test_bad_input_names_the_field(changes: dict[str, str], field: str) -> None:
    values = {"kind": "received", "language": "en", "subject": "S", "body": "B", **changes}
    with pytest.raises(Invalid) as caught:
        templates.save_template(web(make_admin()), **values)
    assert [e.field for e in caught.value.errors] == [field]


def test_unknown_mailbox() -> None:
    with pytest.raises(NotFound):
        templates.save_template(
            web(make_admin()), kind="received", language="en", mailbox_id=999, subject="S", body="B"
        )


def test_agents_cannot_edit_templates() -> None:
    with pytest.raises(Forbidden):
        templates.save_template(
            web(make_agent()), kind="received", language="en", subject="S", body="B"
        )
    with pytest.raises(Forbidden):
        templates.reset_template(web(make_agent()), kind="received", language="en")


def test_preview_uses_a_sample_ticket_and_validates() -> None:
    subject, text, _ = templates.preview(
        "replied",
        language="es",
        mailbox=None,
        subject="#{{ ticket.number }}",
        body="{{ agent.name }}: {{ message.text }}",
    )
    assert subject == "#1042"
    assert text.startswith("Carlos Ruiz: Hemos restablecido")
    with pytest.raises(Invalid):
        templates.preview("replied", language="es", mailbox=None, subject="{{ x }}", body="B")


def test_template_text_says_where_it_comes_from() -> None:
    admin = web(make_admin())
    mailbox = _mailbox()
    found = templates.template_text("received", language="es", mailbox=mailbox)
    assert found.source == "builtin" and not found.is_custom
    templates.save_template(admin, kind="received", language="es", subject="S", body="B")
    found = templates.template_text("received", language="es", mailbox=mailbox)
    assert found.source == "default" and not found.is_custom
    assert templates.template_text("received", language="es", mailbox=None).is_custom

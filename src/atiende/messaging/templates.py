"""Customer notification texts: the editor's service functions and the renderer outbound uses.

A notification (ticket received, agent replied, ticket solved) is looked up per kind ×
language × mailbox: the mailbox's own `NotificationTemplate`, then the default row for that
language (``mailbox`` null), then the built-in text below. Templates are plain text with the
safe placeholders of `atiende.tickets.placeholders` (plus ``message.text`` and ``brand.name``),
filled in by one regular-expression pass: never a Django template, values never re-scanned.
An unknown placeholder is refused when a template is saved, so a typo cannot reach a customer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from atiende.accounts.models import User
from atiende.core.actor import Actor
from atiende.core.errors import ErrorCollector, Invalid, NotFound
from atiende.core.html import sanitize_html, text_to_html
from atiende.core.permissions import require_admin
from atiende.core.text import clean_text
from atiende.messaging.models import Mailbox, NotificationTemplate, OutboundKind
from atiende.tickets.placeholders import PLACEHOLDERS as CANNED_PLACEHOLDERS
from atiende.tickets.placeholders import placeholder_values, render_placeholders

if TYPE_CHECKING:
    from atiende.tickets.models import Message, Ticket

KINDS = (OutboundKind.RECEIVED, OutboundKind.REPLIED, OutboundKind.SOLVED)
LANGUAGES = ("es", "en")
DEFAULT_LANGUAGE = "en"
PLACEHOLDERS = (*CANNED_PLACEHOLDERS, "message.text", "brand.name")
# Anything that looks like a placeholder, so that a typo ("{{ ticket.numbr }}", "{{ name }}")
# is caught on save instead of reaching a customer as typed.
ANY_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
# Where the message's HTML goes in a template's HTML; no text a person types contains it.
MESSAGE_SLOT = "\ue000atiende-message\ue000"
SUBJECT_MAX = 255
BODY_MAX = 20_000

BUILTIN: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        OutboundKind.RECEIVED: (
            "[#{{ ticket.number }}] We received your request: {{ ticket.subject }}",
            "Hello {{ customer.first_name }},\n\n"
            "Thank you for writing to {{ brand.name }}. We have received your request and "
            "opened ticket #{{ ticket.number }}. We will answer as soon as we can.\n\n"
            "To add anything, reply to this email and keep the ticket number in the subject.",
        ),
        OutboundKind.REPLIED: (
            "[#{{ ticket.number }}] {{ ticket.subject }}",
            "Hello {{ customer.first_name }},\n\n"
            "{{ agent.name }} has answered your request #{{ ticket.number }}:\n\n"
            "{{ message.text }}\n\n"
            "To answer, reply to this email.",
        ),
        OutboundKind.SOLVED: (
            "[#{{ ticket.number }}] Solved: {{ ticket.subject }}",
            "Hello {{ customer.first_name }},\n\n"
            "Your request #{{ ticket.number }} ({{ ticket.subject }}) has been marked as "
            "solved.\n\n"
            "If something is still not right, reply to this email and the ticket will be "
            "opened again.",
        ),
    },
    "es": {
        OutboundKind.RECEIVED: (
            "[#{{ ticket.number }}] Hemos recibido su solicitud: {{ ticket.subject }}",
            "Hola, {{ customer.first_name }}:\n\n"
            "Gracias por escribir a {{ brand.name }}. Hemos recibido su solicitud y abierto "
            "el ticket #{{ ticket.number }}. Le responderemos lo antes posible.\n\n"
            "Para añadir algo, responda a este correo y conserve el número del ticket en el "
            "asunto.",
        ),
        OutboundKind.REPLIED: (
            "[#{{ ticket.number }}] {{ ticket.subject }}",
            "Hola, {{ customer.first_name }}:\n\n"
            "{{ agent.name }} ha respondido a su solicitud #{{ ticket.number }}:\n\n"
            "{{ message.text }}\n\n"
            "Para contestar, responda a este correo.",
        ),
        OutboundKind.SOLVED: (
            "[#{{ ticket.number }}] Resuelta: {{ ticket.subject }}",
            "Hola, {{ customer.first_name }}:\n\n"
            "Su solicitud #{{ ticket.number }} ({{ ticket.subject }}) se ha marcado como "
            "resuelta.\n\n"
            "Si algo sigue sin funcionar, responda a este correo y el ticket se volverá a "
            "abrir.",
        ),
    },
}


@dataclass(frozen=True)
class TemplateText:
    """The text in effect for one kind × language × mailbox and where it comes from."""

    kind: str
    language: str
    mailbox_id: int | None
    subject: str
    body: str
    source: str  # "mailbox" (its own row), "default" (the language's row) or "builtin"
    template_id: int | None = None

    @property
    def is_custom(self) -> bool:
        """A row exists at exactly this level (so "reset" has something to remove)."""
        return self.source == ("mailbox" if self.mailbox_id is not None else "default")


def normalize_language(language: str | None) -> str:
    """``es``, ``es-MX``, ``ES_es`` → ``es``; anything we do not ship → English."""
    base = (language or "").strip().lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise Invalid.field(
            "kind",
            _("Unknown notification kind; use one of: %(kinds)s.") % {"kinds": ", ".join(KINDS)},
        )
    return str(kind)


def _check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise Invalid.field(
            "language",
            _("Unknown language; use one of: %(languages)s.") % {"languages": ", ".join(LANGUAGES)},
        )
    return language


def unknown_placeholders(text: str) -> list[str]:
    """The placeholders in ``text`` that are not allowed, in order, without repeats."""
    found: list[str] = []
    for match in ANY_PLACEHOLDER.finditer(text):
        name = match.group(1)
        if name not in PLACEHOLDERS and name not in found:
            found.append(name)
    return found


def _braced(name: str) -> str:
    return "{{ " + name + " }}"


def _check_text(errors: ErrorCollector, field: str, text: str, max_length: int) -> None:
    if not text.strip():
        errors.add(field, _("This field is required."))
        return
    if len(text) > max_length:
        errors.add(field, _("At most %(max)d characters.") % {"max": max_length})
    unknown = unknown_placeholders(text)
    if unknown:
        errors.add(
            field,
            _("Unknown placeholder %(names)s; allowed: %(allowed)s.")
            % {
                "names": ", ".join(_braced(name) for name in unknown),
                "allowed": ", ".join(_braced(name) for name in PLACEHOLDERS),
            },
        )


def validate_template(subject: str, body: str) -> tuple[str, str]:
    """Cleaned subject (one line) and body, or `Invalid` naming each bad field."""
    subject = " ".join(clean_text(subject).split())
    body = clean_text(body).replace("\r\n", "\n").strip("\n")
    errors = ErrorCollector()
    _check_text(errors, "subject", subject, SUBJECT_MAX)
    _check_text(errors, "body", body, BODY_MAX)
    errors.raise_if_any()
    return subject, body


def _get_mailbox(mailbox_id: int | None) -> Mailbox | None:
    if mailbox_id is None:
        return None
    mailbox = Mailbox.objects.filter(pk=mailbox_id).first()
    if mailbox is None:
        raise NotFound(_("Mailbox not found."))
    return mailbox


def template_text(kind: str, *, language: str, mailbox: Mailbox | int | None) -> TemplateText:
    """The text in effect: the mailbox's row, the language default row, or the built-in."""
    language = normalize_language(language)
    mailbox_id = mailbox.pk if isinstance(mailbox, Mailbox) else mailbox
    rows = NotificationTemplate.objects.filter(kind=kind, language=language)
    if mailbox_id is not None:
        own = rows.filter(mailbox_id=mailbox_id).first()
        if own is not None:
            return TemplateText(
                kind, language, mailbox_id, own.subject, own.body, "mailbox", own.pk
            )
    default = rows.filter(mailbox__isnull=True).first()
    if default is not None:
        return TemplateText(
            kind, language, mailbox_id, default.subject, default.body, "default", default.pk
        )
    subject, body = BUILTIN[language][kind]
    return TemplateText(kind, language, mailbox_id, subject, body, "builtin")


def builtin_text(kind: str, language: str) -> tuple[str, str]:
    return BUILTIN[normalize_language(language)][_check_kind(kind)]


def save_template(
    actor: Actor,
    *,
    kind: str,
    language: str,
    mailbox_id: int | None = None,
    subject: str,
    body: str,
) -> NotificationTemplate:
    """Create or replace the template at this level (admins)."""
    require_admin(actor)
    kind = _check_kind(kind)
    language = _check_language(language)
    mailbox = _get_mailbox(mailbox_id)
    subject, body = validate_template(subject, body)
    for _attempt in range(2):  # a concurrent first save of the same level: update theirs
        try:
            with transaction.atomic():
                row, _created = NotificationTemplate.objects.update_or_create(
                    kind=kind,
                    language=language,
                    mailbox=mailbox,
                    defaults={"subject": subject, "body": body},
                )
            return row
        except IntegrityError:
            continue
    raise Invalid.field("kind", _("The template changed while saving; try again."))


def reset_template(
    actor: Actor, *, kind: str, language: str, mailbox_id: int | None = None
) -> TemplateText:
    """Remove the template at this level; what is in effect afterwards is returned."""
    require_admin(actor)
    kind = _check_kind(kind)
    language = _check_language(language)
    mailbox = _get_mailbox(mailbox_id)
    NotificationTemplate.objects.filter(kind=kind, language=language, mailbox=mailbox).delete()
    return template_text(kind, language=language, mailbox=mailbox)


def _values(
    ticket: Ticket,
    message: Message | None,
    mailbox: Mailbox | None,
    agent: User | None = None,
) -> dict[str, str]:
    if agent is None and message is not None and message.author_id is not None:
        author = message.author
        agent = author if author is not None and author.is_agent else None
    if agent is None and ticket.assignee_id is not None:
        agent = ticket.assignee
    values = placeholder_values(ticket, agent)
    brand = ""
    if mailbox is not None:
        brand = mailbox.brand_name or mailbox.display_name or mailbox.address
    values["brand.name"] = brand
    values["message.text"] = message.body_text.strip() if message is not None else ""
    return values


def render_text(
    subject: str, body: str, values: dict[str, str], message_html: str = ""
) -> tuple[str, str, str]:
    """``(subject, text, html)`` of a template for these placeholder values.

    The subject is one line (a value cannot add header lines); the HTML is the text, escaped,
    in paragraphs, except that ``{{ message.text }}`` becomes the message's own (sanitized)
    HTML when given: the customer gets the formatting the agent wrote.
    """
    rendered_subject = " ".join(render_placeholders(subject, values).split())[:SUBJECT_MAX]
    text = render_placeholders(body, values)
    if not message_html:
        return rendered_subject, text, text_to_html(text)
    slotted = {name: value.replace(MESSAGE_SLOT, "") for name, value in values.items()}
    html = text_to_html(render_placeholders(body, {**slotted, "message.text": MESSAGE_SLOT}))
    html = html.replace(f"<p>{MESSAGE_SLOT}</p>", message_html)
    return rendered_subject, text, sanitize_html(html.replace(MESSAGE_SLOT, message_html))


def render_notification(
    kind: str,
    *,
    language: str,
    mailbox: Mailbox | None,
    ticket: Ticket,
    message: Message | None = None,
) -> tuple[str, str, str]:
    """The ``(subject, text, html)`` of one customer notification.

    ``kind`` is an `OutboundKind` other than ``reply``; ``language`` any code (``es-MX`` →
    ``es``; unshipped languages fall back to English); ``message`` the agent's reply for
    ``replied`` (its text fills ``{{ message.text }}``, its author ``{{ agent.name }}``).
    Never raises for a template: a stored one was validated on save.
    """
    kind = _check_kind(kind)
    found = template_text(kind, language=language, mailbox=mailbox)
    # Written in the workspace or the API: its HTML is the agent's formatting. An agent's
    # reply by email keeps to its text (its HTML may carry the quoted thread).
    composed = message is not None and message.channel != "email"
    message_html = message.body_html if message is not None and composed else ""
    return render_text(found.subject, found.body, _values(ticket, message, mailbox), message_html)


def sample_values(mailbox: Mailbox | None, language: str) -> dict[str, str]:
    """Placeholder values of a made-up ticket, for the editor's preview."""
    from atiende.tickets.models import Message, Ticket

    spanish = normalize_language(language) == "es"
    customer = User(name="María García" if spanish else "Jane Doe", email="customer@example.com")
    agent = User(name="Carlos Ruiz" if spanish else "Alex Smith", role="agent")
    ticket = Ticket(
        number=1042,
        subject="No puedo acceder a mi cuenta" if spanish else "I cannot sign in to my account",
        requester=customer,
    )
    message = Message(
        body_text=(
            "Hemos restablecido su acceso; ya puede entrar de nuevo."
            if spanish
            else "We have reset your access; you can sign in again now."
        ),
    )
    return _values(ticket, message, mailbox, agent)


def preview(
    kind: str, *, language: str, mailbox: Mailbox | None, subject: str, body: str
) -> tuple[str, str, str]:
    """A template (validated first: `Invalid` on an unknown placeholder) filled in for a
    sample ticket."""
    _check_kind(kind)
    subject, body = validate_template(subject, body)
    return render_text(subject, body, sample_values(mailbox, language))

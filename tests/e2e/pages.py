"""Every page of the workspace, by its URL name, with the data behind it.

``WORKSPACE_PAGES`` maps each named URL of ``atiende.web.urls`` that answers a browser with a
page of its own to the path to open; ``NOT_PAGES`` names every other one with the reason it is
not a page (a POST action, an htmx fragment, a download). ``uncovered_url_names()`` lists the
names in neither, so a new URL fails the accessibility test until someone decides which it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from atiende.accounts.models import User
from atiende.automation.macros.services import create_macro
from atiende.automation.models import Macro, TimedRule, Trigger
from atiende.automation.timed.services import create_timed_rule
from atiende.kb.models import ArticleTranslation
from atiende.messaging.models import InboundMessage, InboundState, Mailbox
from atiende.sla.models import Calendar, SlaPolicy
from atiende.sla.services.calendars import create_calendar
from atiende.sla.services.policies import create_policy
from atiende.tickets import saved_views
from atiende.tickets import services as tickets
from atiende.tickets.models import (
    Category,
    CustomField,
    Priority,
    SavedView,
    Status,
    Tag,
)
from atiende.tickets.selectors import get_ticket
from atiende.tickets.services.config import create_category, create_custom_field, create_tag
from atiende.tickets.services.time import log_time
from tests.factories import SYSTEM, make_admin, make_agent, make_customer, make_group, make_org, web
from tests.messaging.mail import build, deliver, make_mailbox


@dataclass
class Seed:
    """Data for every page: one of each thing a page shows, with Spanish accents in it."""

    admin: User
    agent: User
    customer: User
    other_customer: User
    org_id: int
    group_id: int
    ticket_id: int
    message_id: int
    view: SavedView
    canned: Macro
    my_canned: Macro
    category: Category
    field: CustomField
    tag: Tag
    mailbox: Mailbox
    quarantined: InboundMessage
    sla_policy: SlaPolicy
    calendar: Calendar
    timed_rule: TimedRule


def seed(*, locale: str = "en") -> Seed:
    group = make_group("Soporte técnico")
    admin = make_admin(name="Admin Ana", locale=locale)
    agent = make_agent(group, name="Bea Núñez", locale=locale)
    org = make_org("Logística Acme", domains=("acme.example",))
    customer = make_customer(name="Lucía Fernández", email="lucia@acme.example")
    other = make_customer(name="Lucia Fernandez", email="lucia.f@example.com")
    mailbox = make_mailbox(group=group)
    inbound = deliver(
        build(
            sender="Lucía Fernández <lucia@acme.example>",
            subject="No encuentro la factura de marzo",
            body="Hola, no encuentro la factura de marzo en el portal. ¿Me la enviáis?",
            html="<p>Hola, no encuentro la <b>factura</b> de marzo.</p>",
        ),
        mailbox,
    )
    assert inbound.ticket_id is not None, inbound.reason
    ticket_id = inbound.ticket_id
    category = create_category(SYSTEM, name_en="Billing", name_es="Facturación")
    field = create_custom_field(
        SYSTEM, target="ticket", key="order", type="text", name_en="Order", name_es="Pedido"
    )
    tag = create_tag(SYSTEM, name="facturación")
    tickets.tag_ticket(SYSTEM, ticket_id=ticket_id, add=["facturación"])
    tickets.add_message(
        web(agent),
        ticket_id=ticket_id,
        body=f"@{admin.display_name} ¿lo miras?",
        public=False,
        mentions=[admin.pk],
    )
    tickets.add_message(web(agent), ticket_id=ticket_id, body="Te la enviamos hoy mismo.")
    log_time(web(agent), ticket_id=ticket_id, minutes=15, note="Buscar la factura")
    message_id = int(inbound.ticket_message_id or 0)
    quarantined = InboundMessage.objects.create(
        raw=b"From: x@example.net\r\nSubject: Spam\r\n\r\nhola\r\n",
        size=44,
        sha256="0" * 64,
        source="upload",
        mailbox=mailbox,
        sender="x@example.net",
        subject="Factura pendiente",
        state=InboundState.QUARANTINED,
        reason="The sender is rate limited.",
    )
    return Seed(
        admin=admin,
        agent=agent,
        customer=customer,
        other_customer=other,
        org_id=org.pk,
        group_id=group.pk,
        ticket_id=ticket_id,
        message_id=message_id,
        view=saved_views.create_saved_view(
            web(admin), name="Urgentes", filters={"priority": ["urgent"]}
        ),
        canned=create_macro(
            SYSTEM, name="Saludo", body="Hola {{ customer.first_name }}", shared=True
        ),
        my_canned=create_macro(web(admin), name="Mío", body="Un saludo"),
        category=category,
        field=field,
        tag=tag,
        mailbox=mailbox,
        quarantined=quarantined,
        calendar=create_calendar(
            SYSTEM,
            name="Horario de Santiago",
            time_zone="America/Santiago",
            hours={"monday": [["09:00", "13:00"], ["14:00", "18:00"]]},
            holiday_country="CL",
            holidays=[{"date": "2026-09-18", "yearly": True, "name": "Fiestas Patrias"}],
        ),
        timed_rule=create_timed_rule(
            SYSTEM,
            name="Recordar al cliente",
            condition="no_customer_reply",
            minutes=3 * 24 * 60,
            actions=[{"type": "add_tags", "value": ["recordatorio"]}],
        ),
        sla_policy=create_policy(
            SYSTEM,
            name="Clientes VIP",
            conditions=[{"field": "priority", "op": "in", "value": ["high"]}],
            targets=[{"priority": "high", "kind": "first_reply", "minutes": 60}],
        ),
    )


def kb_article() -> int:
    """A knowledge-base article published twice (its history has a diff), made once."""
    from atiende.kb.services import articles, structure

    found = ArticleTranslation.objects.filter(slug="cambiar-la-contrasena").first()
    if found is not None:
        return found.pk
    category = structure.create_category(SYSTEM, names={"es": "Cuenta", "en": "Account"})
    section = structure.create_section(SYSTEM, category_id=category.pk, names={"es": "Acceso"})
    draft = articles.create_article(
        SYSTEM, section_id=section.pk, language="es", title="Cambiar la contraseña", body="Uno"
    )
    articles.publish(SYSTEM, translation_id=draft.pk)
    articles.update_translation(SYSTEM, translation_id=draft.pk, revision=1, body="Dos")
    articles.publish(SYSTEM, translation_id=draft.pk)
    return draft.pk


def channel_account() -> int:
    """A Telegram channel account, made once."""
    from atiende.messaging.channels import services as channels
    from atiende.messaging.models import ChannelAccount

    found = ChannelAccount.objects.filter(name="Bot de atención").first()
    if found is not None:
        return found.pk
    return channels.create_account(
        SYSTEM,
        provider="telegram",
        name="Bot de atención",
        secrets={"bot_token": "123456:ABC", "webhook_secret": "secreto-largo"},
    ).pk


def channel_payload() -> int:
    """A quarantined webhook payload of that account (its signature refused), made once."""
    from django.utils import timezone

    from atiende.messaging.channels.services.reasons import quarantine
    from atiende.messaging.models import ChannelPayload

    account_id = channel_account()
    found = ChannelPayload.objects.filter(account_id=account_id).first()
    if found is not None:
        return found.pk
    payload = ChannelPayload.objects.create(
        account_id=account_id,
        method="POST",
        url="https://desk.example.com/hooks/x/",
        headers={
            "content-type": "application/json",
            "x-telegram-bot-api-secret-token": "[redacted]",
        },
        body=b'{"update_id": 1, "message": {"text": "<b>Atenci\\u00f3n</b>"}}',
        received_at=timezone.now(),
    )
    quarantine(payload.pk, "The signature was refused: wrong secret token.")
    return payload.pk


def chat_widget() -> int:
    """A chat widget, made once."""
    from atiende.messaging.chat.widgets import create_widget
    from atiende.messaging.models import ChatWidget

    found = ChatWidget.objects.filter(name="Tienda online").first()
    if found is not None:
        return found.pk
    return create_widget(
        SYSTEM, name="Tienda online", allowed_origins=["https://www.example.com"]
    ).pk


# Pages for a signed-in administrator: url name -> path.
WORKSPACE_PAGES: dict[str, Callable[[Seed], str]] = {
    "inbox": lambda s: reverse("inbox"),
    "inbox-view-create": lambda s: reverse("inbox-view-create"),
    "inbox-view-edit": lambda s: reverse("inbox-view-edit", args=[s.view.pk]),
    "ticket": lambda s: reverse("ticket", args=[s.ticket_id]),
    "ticket-new": lambda s: reverse("ticket-new"),
    "customers": lambda s: reverse("customers"),
    "customer-new": lambda s: reverse("customer-new"),
    "customer": lambda s: reverse("customer", args=[s.customer.pk]),
    "customer-edit": lambda s: reverse("customer-edit", args=[s.customer.pk]),
    "customer-start-conversation": lambda s: reverse(
        "customer-start-conversation", args=[s.customer.pk]
    ),
    "customer-merge": lambda s: reverse("customer-merge", args=[s.customer.pk]) + "?q=lucia",
    "customer-merge-confirm": lambda s: reverse(
        "customer-merge-confirm", args=[s.customer.pk, s.other_customer.pk]
    ),
    "organizations": lambda s: reverse("organizations"),
    "organization-new": lambda s: reverse("organization-new"),
    "organization": lambda s: reverse("organization", args=[s.org_id]),
    "organization-edit": lambda s: reverse("organization-edit", args=[s.org_id]),
    "search": lambda s: reverse("search") + "?q=factura",
    "kb-report": lambda s: reverse("kb-report"),
    "report-satisfaction": lambda s: reverse("report-satisfaction"),
    "pulse": lambda s: reverse("pulse"),
    "settings-surveys": lambda s: reverse("settings-surveys"),
    "settings-forms": lambda s: reverse("forms:settings-forms"),
    "notifications": lambda s: reverse("notifications"),
    "account-preferences": lambda s: reverse("account-preferences"),
    "account-password-change": lambda s: reverse("account-password-change"),
    "account-canned": lambda s: reverse("account-canned"),
    "account-away": lambda s: reverse("account-away"),
    "account-workload": lambda s: reverse("account-workload"),
    "account-canned-edit": lambda s: reverse("account-canned-edit", args=[s.my_canned.pk]),
    "settings-home": lambda s: reverse("settings-home"),
    "settings-groups": lambda s: reverse("settings-groups"),
    "settings-group": lambda s: reverse("settings-group", args=[s.group_id]),
    "settings-agents": lambda s: reverse("settings-agents"),
    "settings-agent-new": lambda s: reverse("settings-agent-new"),
    "settings-agent": lambda s: reverse("settings-agent", args=[s.agent.pk]),
    "settings-statuses": lambda s: reverse("settings-statuses"),
    "settings-status": lambda s: reverse(
        "settings-status", args=[Status.objects.order_by("pk")[0].pk]
    ),
    "settings-priorities": lambda s: reverse("settings-priorities"),
    "settings-priority": lambda s: reverse(
        "settings-priority", args=[Priority.objects.order_by("pk")[0].pk]
    ),
    "settings-tags": lambda s: reverse("settings-tags"),
    "settings-categories": lambda s: reverse("settings-categories"),
    "settings-category": lambda s: reverse("settings-category", args=[s.category.pk]),
    "settings-fields": lambda s: reverse("settings-fields"),
    "settings-field": lambda s: reverse("settings-field", args=[s.field.pk]),
    "settings-canned": lambda s: reverse("settings-canned"),
    "settings-canned-edit": lambda s: reverse("settings-canned-edit", args=[s.canned.pk]),
    "settings-calendars": lambda s: reverse("settings-calendars"),
    "settings-calendar-new": lambda s: reverse("settings-calendar-new"),
    "settings-calendar": lambda s: reverse("settings-calendar", args=[s.calendar.pk]),
    "settings-sla": lambda s: reverse("settings-sla"),
    "settings-sla-new": lambda s: reverse("settings-sla-new"),
    "settings-sla-policy": lambda s: reverse("settings-sla-policy", args=[s.sla_policy.pk]),
    "settings-timed": lambda s: reverse("settings-timed"),
    "settings-timed-new": lambda s: reverse("settings-timed-new"),
    "settings-timed-rule": lambda s: reverse("settings-timed-rule", args=[s.timed_rule.pk]),
    "settings-triggers": lambda s: reverse("settings-triggers"),
    "settings-trigger-new": lambda s: reverse("settings-trigger-new"),
    "settings-trigger": lambda s: reverse(
        "settings-trigger", args=[Trigger.objects.order_by("pk")[0].pk]
    ),
    "settings-trigger-dry-run": lambda s: (
        reverse("settings-trigger-dry-run", args=[Trigger.objects.order_by("pk")[0].pk])
        + f"?number={get_ticket(SYSTEM, s.ticket_id).number}"
    ),
    "mail-mailboxes": lambda s: reverse("mail-mailboxes"),
    "mail-mailbox-new": lambda s: reverse("mail-mailbox-new"),
    "mail-mailbox": lambda s: reverse("mail-mailbox", args=[s.mailbox.pk]),
    "mail-templates": lambda s: reverse("mail-templates"),
    "mail-template": lambda s: reverse("mail-template", args=["received", "es"]),
    "mail-quarantine": lambda s: reverse("mail-quarantine"),
    "mail-quarantine-detail": lambda s: reverse("mail-quarantine-detail", args=[s.quarantined.pk]),
    "mail-original": lambda s: reverse("mail-original", args=[s.ticket_id, s.message_id]),
    "channels-accounts": lambda s: reverse("channels-accounts"),
    "channels-account-new": lambda s: reverse("channels-account-new"),
    "channels-account-create": lambda s: reverse("channels-account-create", args=["whatsapp"]),
    "channels-account": lambda s: reverse("channels-account", args=[channel_account()]),
    "channels-quarantine": lambda s: reverse("channels-quarantine"),
    "channels-payload": lambda s: reverse("channels-payload", args=[channel_payload()]),
    "chat-widgets": lambda s: reverse("chat-widgets"),
    "chat-widget-new": lambda s: reverse("chat-widget-new"),
    "chat-widget": lambda s: reverse("chat-widget", args=[chat_widget()]),
    "offline": lambda s: reverse("offline"),
    "mfa_index": lambda s: reverse("mfa_index"),
    "account_reauthenticate": lambda s: reverse("account_reauthenticate"),
    "kb-articles": lambda s: reverse("kb-articles"),
    "kb-article-new": lambda s: reverse("kb-article-new"),
    "kb-review": lambda s: reverse("kb-review"),
    "kb-outline": lambda s: reverse("kb-outline"),
    "kb-outline-edit": lambda s: reverse(
        "kb-outline-edit",
        args=["section", ArticleTranslation.objects.get(pk=kb_article()).article.section_id],
    ),
    "kb-editor": lambda s: reverse("kb-editor", args=[kb_article()]),
    "kb-history": lambda s: reverse("kb-history", args=[kb_article()]) + "?old=1&new=2",
    "kb-settings": lambda s: reverse("kb-settings", args=[kb_article()]),
    "kb-translate": lambda s: reverse("kb-translate", args=[kb_article()]),
}

# Pages for someone signed out: url name -> path.
PUBLIC_PAGES: dict[str, Callable[[Seed], str]] = {
    "account_login": lambda s: reverse("account_login"),
    "account_request_login_code": lambda s: reverse("account_request_login_code"),
    "account_reset_password": lambda s: reverse("account_reset_password"),
    "account_reset_password_done": lambda s: reverse("account_reset_password_done"),
    "account_signup": lambda s: reverse("account_signup"),
}

# Pages no URL name leads to: the error pages, seen by the one they are for.
ERROR_PAGES: dict[str, str] = {
    "404 (signed in)": "/no-such-page/",
    "password reset link that no longer works": "/accounts/password/reset/key/1-bad-token/",
}

FRAGMENT = "an htmx fragment, checked inside the page that shows it"
POST = "a POST action: it answers with a redirect or a fragment, never a page of its own"

NOT_PAGES: dict[str, str] = {
    # Issue 15, pages reached with content or a token the seed has not: each one's own tests.
    "help-search": "needs articles: tests/e2e/test_help_center.py (axe, desktop and phone)",
    "help-suggest": FRAGMENT,
    "help-suggest-opened": POST,
    "portal-new": "a customer's page (the portal): tests/e2e/test_portal.py's frame, test_forms",
    "public": "a ticket form's public page: tests/e2e/test_forms.py (axe, desktop and phone)",
    "status": "a signed follow link from an acknowledgement: tests/e2e/test_forms.py opens it",
    "settings-form": "one ticket form's editor (needs a form): tests/web/forms/test_pages.py",
    "settings-form-delete": POST,
    "survey-rate": "a signed link from a survey mail: tests/e2e/test_surveys.py (axe)",
    "survey-comment": POST,
    "survey-opt-out": "a signed link from a survey mail: tests/web/surveys/test_views.py",
    "survey-portal": FRAGMENT,
    "survey-customer-ratings": FRAGMENT,
    "chat-config": "the chat widget's JSON configuration: tests/messaging/chat/test_http.py",
    "chat-upload": "the chat widget's file upload (a POST): tests/messaging/chat/test_http.py",
    "channel-file": "a reply's file fetched by a provider through a signed link (a download): "
    "tests/web/test_channel_files.py",
    "chat-file": "an agent's file fetched by a chat visitor through a signed link (a download): "
    "tests/messaging/chat/test_files.py",
    "settings-agent-capacity": POST,
    "pulse-banner": FRAGMENT,
    "pulse-dismiss": POST,
    "ticket-assist": FRAGMENT,
    "home": "redirects to the inbox (or to sign-in)",
    "login": "the old address: redirects to allauth's sign-in page (checked as account_login)",
    "signin-account": "a customer's account page; staff are sent to the workspace",
    "account_logout": POST,
    "account_inactive": "allauth's page for a suspended account, reached only through a sign-in",
    "account_email": "allauth's address list: addresses are managed by admins (redirects)",
    "account_email_verification_sent": "reached only after asking for a verification link",
    "account_confirm_email": "a link from a verification mail; its form is the confirm button",
    "account_confirm_login_code": "reached only with a code on its way (a sign-in by code)",
    "account_change_password": "our own password page is the workspace's (redirects)",
    "account_set_password": "users without a password are sent a reset link instead (redirects)",
    "account_reset_password_from_key": "a link from a reset mail (its dead form is an error page)",
    "account_reset_password_from_key_done": "shown once, after a reset through a mailed link",
    "mfa_activate_totp": "asks for the password first (account_reauthenticate, checked)",
    "mfa_deactivate_totp": "exists only with an authenticator set up",
    "mfa_authenticate": "reached only between the password and the code of a sign-in",
    "mfa_reauthenticate": "reached only with an authenticator set up",
    "mfa_view_recovery_codes": "exists only with an authenticator set up",
    "mfa_generate_recovery_codes": "exists only with an authenticator set up",
    "mfa_download_recovery_codes": "a text download, not a page",
    "inbox-people": FRAGMENT,
    "inbox-row": FRAGMENT,
    "ticket-draft": POST,
    "ticket-relate": "the ticket page's merge-or-link box (a page only without JavaScript)",
    "ticket-relate-search": FRAGMENT,
    "logout": POST,
    "inbox-rows": FRAGMENT,
    "inbox-counts": FRAGMENT,
    "inbox-filters": FRAGMENT,
    "inbox-new": FRAGMENT,
    "inbox-bulk": POST,
    "inbox-view-delete": POST,
    "ticket-new-requesters": FRAGMENT,
    "ticket-header": FRAGMENT,
    "ticket-field": FRAGMENT,
    "ticket-assign-me": POST,
    "ticket-solve": POST,
    "ticket-timeline": FRAGMENT,
    "ticket-reply": POST,
    "ticket-upload": POST,
    "ticket-canned": FRAGMENT,
    "ticket-canned-text": FRAGMENT,
    "ticket-mentions": FRAGMENT,
    "ticket-time": FRAGMENT,
    "ticket-time-action": POST,
    "ticket-call-log": FRAGMENT,
    "customer-identity-add": POST,
    "customer-identity-remove": POST,
    "search-suggest": FRAGMENT,
    "settings-agent-active": POST,
    "settings-tag-delete": POST,
    "settings-canned-delete": POST,
    "settings-trigger-move": POST,
    "settings-sla-move": POST,
    "settings-timed-delete": POST,
    "settings-calendar-delete": POST,
    "settings-group-calendar": POST,
    "settings-group-assignment": POST,
    "settings-sla-delete": POST,
    "settings-trigger-delete": POST,
    "account-canned-delete": POST,
    "account-away-end": POST,
    "account-status": "the header's status switch, a fragment: on every workspace page",
    "account-shortcuts": "the shortcuts dialog, a fragment: checked open on the inbox",
    "notifications-panel": FRAGMENT,
    "notifications-read-all": POST,
    "notification-read": POST,
    "mail-mailbox-deactivate": POST,
    "mail-mailbox-test": POST,
    "mail-template-preview": POST,
    "mail-template-reset": POST,
    "mail-quarantine-raw": "a download of the raw email (message/rfc822), not a page",
    "mail-quarantine-action": POST,
    "mail-message-view": "a timeline fragment, or a sandboxed frame holding the sender's HTML",
    "mail-original-raw": "a download of the raw email (.eml), not a page",
    "mail-retry-delivery": POST,
    "mail-mailbox-logo": POST,
    "channels-account-rotate": POST,
    "channels-account-active": POST,
    "channels-account-delete": POST,
    "channels-payload-action": POST,
    "chat-widget-active": POST,
    "chat-widget-delete": POST,
    # The customer portal (a customer's pages, not the workspace's): axe-checked on a desktop
    # and a phone in tests/e2e/test_portal.py.
    "portal": "the customer portal's request list: checked in tests/e2e/test_portal.py",
    "portal-request": "a customer's request page: checked in tests/e2e/test_portal.py",
    "portal-profile": "the customer's profile page: checked in tests/e2e/test_portal.py",
    "portal-reply": POST,
    "portal-solve": POST,
    "portal-reopen": POST,
    "portal-file": "a download of a request's file, not a page",
    "portal-logo": "a brand's logo image, not a page",
    "manifest": "the web app manifest (JSON)",
    "service-worker": "the service worker (JavaScript)",
    # The public help center: its pages need knowledge-base content, so
    # tests/e2e/test_help_center.py checks them (axe and touch targets, desktop and phone).
    "help-root": "redirects to /help/<language>/",
    "help-home": "checked by tests/e2e/test_help_center.py",
    "help-category": "checked by tests/e2e/test_help_center.py",
    "help-section": "checked by tests/e2e/test_help_center.py",
    "help-article": "checked by tests/e2e/test_help_center.py",
    "help-article-id": "redirects to the article's address with its slug",
    "help-feedback": POST,
    "help-file": "an article's file (an image or a download), not a page",
    "kb-action": POST,
    "kb-upload": POST,
    "kb-restore": POST,
    "kb-from-ticket": POST,
    "kb-outline-delete": POST,
}


def _names(patterns: list[URLPattern | URLResolver]) -> Iterator[str]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _names(entry.url_patterns)
        elif entry.name:
            yield entry.name


def web_url_names() -> set[str]:
    """Every URL name of the workspace (``atiende.web.urls``)."""
    return set(_names(get_resolver("atiende.web.urls").url_patterns))


def uncovered_url_names() -> list[str]:
    covered = set(WORKSPACE_PAGES) | set(PUBLIC_PAGES) | set(NOT_PAGES)
    return sorted(web_url_names() - covered)


def stale_entries() -> list[str]:
    """Names listed here that no longer exist."""
    listed = set(WORKSPACE_PAGES) | set(PUBLIC_PAGES) | set(NOT_PAGES)
    return sorted(listed - web_url_names())

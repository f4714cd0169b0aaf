"""The live chat (issue 16, part 2): widgets embedded on other sites, and their chats.

A chat is a ticket: the visitor's first message opens one with channel ``chat`` in the widget's
group, and the transcript is that ticket's conversation. These tables hold only what a ticket
does not: the widget's configuration, and per chat the visitor's secret token (its digest), the
page it came from and who handles it now. Written only by ``messaging.chat.services``.

The widget is not a ``ChannelAccount``: it receives no webhooks and has no secrets nor adapter;
what it needs (a public id for the ``<script>`` tag, allowed origins, the pre-chat form, colours)
is its own.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MAX_URL = 2000
MAX_CLIENT_ID = 64


class ChatWidget(models.Model):
    """One embeddable widget: ``<script src=".../atiende-chat.js" data-widget="public_id">``.

    ``allowed_origins`` lists the sites that may embed it (``https://www.example.com``; ``*``
    for any); a socket or upload from another origin is refused. ``prechat_fields`` is the
    pre-chat form: a list of ``{"key": "name"|"email"|"phone"|<other>, "label": str,
    "required": bool}``. ``language`` empty follows the visitor's browser.
    """

    public_id = models.CharField(_("public id"), max_length=32, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    group = models.ForeignKey(
        "accounts.Group",
        verbose_name=_("group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chat_widgets",
    )
    allowed_origins = models.JSONField(_("allowed origins"), default=list, blank=True)
    prechat_fields = models.JSONField(_("pre-chat fields"), default=list, blank=True)
    title = models.CharField(_("title"), max_length=100, blank=True, default="")
    greeting = models.CharField(_("greeting"), max_length=300, blank=True, default="")
    accent_color = models.CharField(_("accent colour"), max_length=7, default="#1f5fbf")
    language = models.CharField(_("language"), max_length=8, blank=True, default="")
    # The seam for the bot of part 3: a chat of a widget with a bot starts handled by it.
    bot_enabled = models.BooleanField(_("bot answers first"), default=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("chat widget")
        verbose_name_plural = _("chat widgets")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ChatState(models.TextChoices):
    WAITING = "waiting", _("Waiting for an agent")
    ACTIVE = "active", _("Active")
    ENDED = "ended", pgettext_lazy("chat state", "Ended")


class ChatHandler(models.TextChoices):
    """Who answers the visitor now: the bot (part 3), the group's queue, or an agent."""

    BOT = "bot", _("Bot")
    QUEUE = "queue", _("Queue")
    AGENT = "agent", _("Agent")


class ChatSession(models.Model):
    """One visitor's chat on one widget; its ticket holds the transcript.

    The visitor's token is random and kept by the widget in the visitor's browser
    (``localStorage``: the widget runs on other sites, where our cookies do not go); only its
    SHA-256 digest is stored here. ``visitor_key`` names the anonymous visitor's identity
    (``chat`` channel) without revealing the token.
    """

    widget = models.ForeignKey(
        ChatWidget, verbose_name=_("widget"), on_delete=models.PROTECT, related_name="chats"
    )
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    visitor_key = models.CharField(_("visitor"), max_length=32, unique=True, editable=False)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chat_sessions",
    )
    state = models.CharField(
        _("state"), max_length=8, choices=ChatState.choices, default=ChatState.WAITING
    )
    handled_by = models.CharField(
        _("handled by"), max_length=8, choices=ChatHandler.choices, default=ChatHandler.QUEUE
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    page_url = models.CharField(_("page"), max_length=MAX_URL, blank=True, default="")
    referrer = models.CharField(_("referrer"), max_length=MAX_URL, blank=True, default="")
    user_agent = models.CharField(_("browser"), max_length=500, blank=True, default="")
    language = models.CharField(_("language"), max_length=8, blank=True, default="")
    # Pre-chat answers other than name, email and phone (those make the customer).
    details = models.JSONField(_("pre-chat answers"), default=dict, blank=True)
    email = models.CharField(_("email given"), max_length=254, blank=True, default="")
    name = models.CharField(_("name given"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Set while a socket of the visitor is open (its last frame); a reply mail is not needed
    # while the visitor reads along.
    visitor_seen_at = models.DateTimeField(_("visitor last seen"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("chat")
        verbose_name_plural = _("chats")
        indexes = [models.Index(fields=["agent", "state"], name="chat_agent_state")]

    def __str__(self) -> str:
        return f"{self.widget_id}/{self.pk} ({self.state})"


class ChatReceipt(models.Model):
    """A visitor message by the widget's client id: a resend after a reconnection is one."""

    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="receipts")
    client_id = models.CharField(max_length=MAX_CLIENT_ID)
    message = models.ForeignKey(
        "tickets.Message", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chat message receipt")
        verbose_name_plural = _("chat message receipts")
        constraints = [
            models.UniqueConstraint(fields=["session", "client_id"], name="chat_receipt_unique")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.client_id}"

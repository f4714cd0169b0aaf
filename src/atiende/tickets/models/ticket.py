"""Tickets and what hangs off them: messages, attachments, links and the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from atiende.accounts.models import Group, Organization
from atiende.tickets.models.config import Category, Priority, Status, Tag


class TicketType(models.TextChoices):
    QUESTION = "question", _("Question")
    INCIDENT = "incident", _("Incident")
    PROBLEM = "problem", _("Problem")
    TASK = "task", _("Task")


class Channel(models.TextChoices):
    """Where a conversation came from; channels are data, not code paths."""

    EMAIL = "email", _("Email")
    WEB = "web", _("Web form")
    PORTAL = "portal", _("Portal")
    CHAT = "chat", _("Live chat")
    WHATSAPP = "whatsapp", _("WhatsApp")
    TELEGRAM = "telegram", _("Telegram")
    SMS = "sms", _("SMS")
    SOCIAL = "social", _("Social media")
    PHONE = "phone", _("Phone")
    IN_PERSON = "in_person", _("In person")
    API = "api", _("API")
    ALERT = "alert", _("Monitoring alert")


class Ticket(models.Model):
    number = models.PositiveBigIntegerField(_("number"), unique=True, editable=False)
    subject = models.CharField(_("subject"), max_length=255)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="requested_tickets",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    group = models.ForeignKey(
        Group,
        verbose_name=_("group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )
    status = models.ForeignKey(
        Status, verbose_name=_("status"), on_delete=models.PROTECT, related_name="tickets"
    )
    priority = models.ForeignKey(
        Priority, verbose_name=_("priority"), on_delete=models.PROTECT, related_name="tickets"
    )
    type = models.CharField(
        _("type"), max_length=16, choices=TicketType.choices, default=TicketType.QUESTION
    )
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.WEB
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="tickets")
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    # The language the customer first wrote in (detected on intake); empty when unknown.
    language = models.CharField(_("language"), max_length=8, blank=True, default="")
    followers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="followed_tickets"
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_from",
    )

    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    solved_at = models.DateTimeField(_("solved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True)
    time_spent_seconds = models.PositiveIntegerField(_("time spent (seconds)"), default=0)

    # Filled by the SLA engine; each is a due timestamp that a sweep reads through its index.
    first_response_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    next_response_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The soonest of the three (the next breach), which the inbox's "due" column shows and
    # sorts by; ``sla_paused`` when the ticket's clocks are stopped by a paused status.
    sla_due_at = models.DateTimeField(null=True, blank=True)
    sla_paused = models.BooleanField(default=False)

    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["created_at", "id"], name="ticket_created"),
            models.Index(fields=["updated_at", "id"], name="ticket_updated"),
            models.Index(fields=["status", "created_at", "id"], name="ticket_status_created"),
            models.Index(fields=["group", "created_at", "id"], name="ticket_group_created"),
            models.Index(fields=["assignee", "created_at", "id"], name="ticket_assignee_created"),
            models.Index(fields=["requester", "created_at", "id"], name="ticket_requester_created"),
            models.Index(fields=["organization", "created_at", "id"], name="ticket_org_created"),
            models.Index(fields=["priority", "created_at", "id"], name="ticket_priority_created"),
            models.Index(fields=["channel", "created_at", "id"], name="ticket_channel_created"),
            models.Index(fields=["solved_at"], name="ticket_solved"),
            models.Index(fields=["sla_due_at", "id"], name="ticket_sla_due"),
            # Covers the inbox counts (status, group, assignee, recently solved): the count
            # reads only this index, never the table.
            models.Index(fields=["status", "group", "assignee", "solved_at"], name="ticket_counts"),
            # An agent's open chats, counted apart for their chat capacity (assignment): only
            # the chat tickets are in it, so the count never reads an agent's other tickets.
            models.Index(
                fields=["assignee", "status"],
                condition=models.Q(channel="chat"),
                name="ticket_chat_load",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"


class TicketNumber(models.Model):
    """The counter behind ticket numbers on SQLite (PostgreSQL uses a sequence)."""

    last = models.PositiveBigIntegerField(default=1000)

    def __str__(self) -> str:
        return str(self.last)


class Direction(models.TextChoices):
    INBOUND = "in", _("Inbound")
    OUTBOUND = "out", _("Outbound")


class Message(models.Model):
    """A public reply or an internal note in a ticket's conversation."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="messages",
    )
    public = models.BooleanField(_("public"), default=True)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    external_id = models.CharField(
        _("channel message id"),
        max_length=998,
        blank=True,
        help_text=_("E.g. an email Message-ID."),
    )
    # Detected for a customer's message on intake (``core.language``); empty when unsure.
    language = models.CharField(_("language"), max_length=8, blank=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="message_ticket_time")]

    def __str__(self) -> str:
        return f"{self.ticket_id}/{self.pk}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    """A stored file. Content type is sniffed from the bytes; the name is never a path."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class LinkKind(models.TextChoices):
    RELATED = "related", _("Related to")
    DUPLICATE = "duplicate", _("Duplicate of")
    PARENT = "parent", _("Parent of")


class TicketLink(models.Model):
    """``source`` is <kind> ``target``: related to, duplicate of, or parent of."""

    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=16, choices=LinkKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("ticket link")
        verbose_name_plural = _("ticket links")
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="ticket_link_unique"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="ticket_link_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"


class TicketEvent(models.Model):
    """One change to one ticket: who, through which source, what field, from what, to what."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    source = models.CharField(_("source"), max_length=16)
    source_detail = models.CharField(_("source detail"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=32)
    field = models.CharField(_("field"), max_length=64, blank=True)
    old_value = models.JSONField(_("old value"), null=True, blank=True)
    new_value = models.JSONField(_("new value"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="event_ticket_time")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action} {self.field}".strip()

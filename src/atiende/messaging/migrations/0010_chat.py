# Written by hand (issue 16, the live chat); the lead linearises the numbering.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_folded_name"),
        ("messaging", "0009_calls"),
        ("tickets", "0010_sla_due"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ChatWidget",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "public_id",
                    models.CharField(
                        editable=False, max_length=32, unique=True, verbose_name="public id"
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "allowed_origins",
                    models.JSONField(blank=True, default=list, verbose_name="allowed origins"),
                ),
                (
                    "prechat_fields",
                    models.JSONField(blank=True, default=list, verbose_name="pre-chat fields"),
                ),
                (
                    "title",
                    models.CharField(blank=True, default="", max_length=100, verbose_name="title"),
                ),
                (
                    "greeting",
                    models.CharField(
                        blank=True, default="", max_length=300, verbose_name="greeting"
                    ),
                ),
                (
                    "accent_color",
                    models.CharField(default="#1f5fbf", max_length=7, verbose_name="accent colour"),
                ),
                (
                    "language",
                    models.CharField(blank=True, default="", max_length=8, verbose_name="language"),
                ),
                (
                    "bot_enabled",
                    models.BooleanField(default=False, verbose_name="bot answers first"),
                ),
                ("active", models.BooleanField(default=True, verbose_name="active")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "group",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="chat_widgets",
                        to="accounts.group",
                        verbose_name="group",
                    ),
                ),
            ],
            options={
                "verbose_name": "chat widget",
                "verbose_name_plural": "chat widgets",
                "ordering": ["name", "id"],
            },
        ),
        migrations.CreateModel(
            name="ChatSession",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token_digest", models.CharField(editable=False, max_length=64, unique=True)),
                (
                    "visitor_key",
                    models.CharField(
                        editable=False, max_length=32, unique=True, verbose_name="visitor"
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("waiting", "Waiting for an agent"),
                            ("active", "Active"),
                            ("ended", "Ended"),
                        ],
                        default="waiting",
                        max_length=8,
                        verbose_name="state",
                    ),
                ),
                (
                    "handled_by",
                    models.CharField(
                        choices=[("bot", "Bot"), ("queue", "Queue"), ("agent", "Agent")],
                        default="queue",
                        max_length=8,
                        verbose_name="handled by",
                    ),
                ),
                (
                    "page_url",
                    models.CharField(blank=True, default="", max_length=2000, verbose_name="page"),
                ),
                (
                    "referrer",
                    models.CharField(
                        blank=True, default="", max_length=2000, verbose_name="referrer"
                    ),
                ),
                (
                    "user_agent",
                    models.CharField(
                        blank=True, default="", max_length=500, verbose_name="browser"
                    ),
                ),
                (
                    "language",
                    models.CharField(blank=True, default="", max_length=8, verbose_name="language"),
                ),
                (
                    "details",
                    models.JSONField(blank=True, default=dict, verbose_name="pre-chat answers"),
                ),
                (
                    "email",
                    models.CharField(
                        blank=True, default="", max_length=254, verbose_name="email given"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        blank=True, default="", max_length=200, verbose_name="name given"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "visitor_seen_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="visitor last seen"),
                ),
                ("ended_at", models.DateTimeField(blank=True, null=True, verbose_name="ended")),
                (
                    "agent",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="agent",
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="customer",
                    ),
                ),
                (
                    "ticket",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="chat_sessions",
                        to="tickets.ticket",
                        verbose_name="ticket",
                    ),
                ),
                (
                    "widget",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="chats",
                        to="messaging.chatwidget",
                        verbose_name="widget",
                    ),
                ),
            ],
            options={
                "verbose_name": "chat",
                "verbose_name_plural": "chats",
                "indexes": [models.Index(fields=["agent", "state"], name="chat_agent_state")],
            },
        ),
        migrations.CreateModel(
            name="ChatReceipt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("client_id", models.CharField(max_length=64)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "message",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tickets.message",
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="receipts",
                        to="messaging.chatsession",
                    ),
                ),
            ],
            options={
                "verbose_name": "chat message receipt",
                "verbose_name_plural": "chat message receipts",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("session", "client_id"), name="chat_receipt_unique"
                    )
                ],
            },
        ),
    ]

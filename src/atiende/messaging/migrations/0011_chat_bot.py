# Written by hand (issue 16, the bot in front of the chat); the lead linearises the numbering.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0010_chat"),
    ]

    operations = [
        migrations.CreateModel(
            name="BotConversation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "stage",
                    models.CharField(
                        choices=[
                            ("new", "Not yet answered"),
                            ("offered", "Articles offered"),
                            ("retry", "Asked to rephrase"),
                            ("resolved", "Resolved by the bot"),
                            ("handed_over", "Handed over to a person"),
                        ],
                        default="new",
                        max_length=12,
                        verbose_name="stage",
                    ),
                ),
                ("misses", models.PositiveSmallIntegerField(default=0, verbose_name="misses")),
                (
                    "offered",
                    models.JSONField(blank=True, default=list, verbose_name="articles offered"),
                ),
                ("last_message_id", models.BigIntegerField(default=0)),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                (
                    "session",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="bot",
                        to="messaging.chatsession",
                        verbose_name="chat",
                    ),
                ),
            ],
            options={
                "verbose_name": "bot conversation",
                "verbose_name_plural": "bot conversations",
            },
        ),
        migrations.CreateModel(
            name="BotOutcome",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("resolved", "Resolved by the bot"),
                            ("handed_over", "Handed over to a person"),
                        ],
                        max_length=12,
                        verbose_name="outcome",
                    ),
                ),
                (
                    "reason",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("asked", "The visitor asked for a person"),
                            ("keyword", "The visitor's words asked for a person"),
                            ("second_miss", "The bot missed twice"),
                            ("no_kb", "No knowledge base to answer from"),
                            ("bot_off", "The widget's bot was switched off"),
                        ],
                        default="",
                        max_length=12,
                        verbose_name="reason",
                    ),
                ),
                (
                    "articles",
                    models.JSONField(blank=True, default=list, verbose_name="articles offered"),
                ),
                (
                    "created_at",
                    models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="when"),
                ),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="bot_outcomes",
                        to="messaging.chatsession",
                        verbose_name="chat",
                    ),
                ),
                (
                    "widget",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="bot_outcomes",
                        to="messaging.chatwidget",
                        verbose_name="widget",
                    ),
                ),
            ],
            options={
                "verbose_name": "bot outcome",
                "verbose_name_plural": "bot outcomes",
            },
        ),
    ]

# Phone calls (issue 16, part 5): messaging.models.calls.Call.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("messaging", "0008_alert_incidents"),
        ("tickets", "0010_sla_due"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Call",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("provider_call_id", models.CharField(blank=True, default="", max_length=255, verbose_name="provider's call id")),
                ("direction", models.CharField(choices=[("inbound", "Inbound"), ("outbound", "Outbound")], default="inbound", max_length=8, verbose_name="direction")),
                ("caller", models.CharField(blank=True, default="", max_length=255, verbose_name="caller")),
                ("called", models.CharField(blank=True, default="", max_length=255, verbose_name="called")),
                ("agent_address", models.CharField(blank=True, default="", max_length=255, verbose_name="agent as the PBX names them")),
                ("state", models.CharField(choices=[("ringing", "Ringing"), ("answered", "Answered"), ("ended", "Ended"), ("missed", "Missed")], default="ringing", max_length=10, verbose_name="state")),
                ("started_at", models.DateTimeField(blank=True, null=True, verbose_name="started at")),
                ("answered_at", models.DateTimeField(blank=True, null=True, verbose_name="answered at")),
                ("ended_at", models.DateTimeField(blank=True, null=True, verbose_name="ended at")),
                ("duration", models.PositiveIntegerField(default=0, verbose_name="duration (seconds)")),
                ("note", models.TextField(blank=True, default="", verbose_name="note")),
                ("recording_url", models.TextField(blank=True, default="", verbose_name="recording URL")),
                ("recording_note", models.TextField(blank=True, verbose_name="why the recording is not attached")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                ("account", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="calls", to="messaging.channelaccount", verbose_name="account")),
                ("agent", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="calls_taken", to=settings.AUTH_USER_MODEL, verbose_name="agent")),
                ("customer", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="calls", to=settings.AUTH_USER_MODEL, verbose_name="customer")),
                ("logged_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="logged by")),
                ("message", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="tickets.message", verbose_name="call log entry")),
                ("recording", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="tickets.attachment", verbose_name="recording")),
                ("ticket", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="calls", to="tickets.ticket", verbose_name="ticket")),
            ],
            options={
                "verbose_name": "call",
                "verbose_name_plural": "calls",
                "indexes": [models.Index(fields=["account", "customer", "id"], name="call_customer")],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("provider_call_id", ""), _negated=True),
                        fields=("account", "provider_call_id"),
                        name="call_unique_provider_id",
                    )
                ],
            },
        ),
    ]

"""A shipped SLA policy for live chat and messaging apps: first and next reply in minutes.

People who write in a chat or on WhatsApp expect an answer while they are still looking, not
the hours an email allows. The policy covers the conversation channels only (chat, WhatsApp,
Telegram, SMS, Messenger and Instagram), so it changes nothing for email, portal or phone
tickets; admins edit or deactivate it like any other (docs/sla.md).
"""

from django.db import migrations

NAME = "Chat y mensajería"
CHANNELS = ["chat", "whatsapp", "telegram", "sms", "social"]
# priority key -> minutes, for the first reply and for each next reply, in business hours
MINUTES = {"urgent": 5, "high": 10, "normal": 15, "low": 30}


def ship(apps, schema_editor):
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    SlaTarget = apps.get_model("sla", "SlaTarget")
    Priority = apps.get_model("tickets", "Priority")
    if SlaPolicy.objects.filter(name=NAME).exists():
        return
    policy = SlaPolicy.objects.create(
        name=NAME,
        order=0,
        is_active=True,
        conditions=[{"field": "channel", "op": "in", "value": CHANNELS}],
        warning_minutes=2,
    )
    for priority in Priority.objects.filter(key__in=MINUTES):
        for kind in ("first_reply", "next_reply"):
            SlaTarget.objects.create(
                policy=policy, priority=priority, kind=kind, minutes=MINUTES[priority.key]
            )


def unship(apps, schema_editor):
    apps.get_model("sla", "SlaPolicy").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0002_calendars_and_policies"),
        ("tickets", "0002_defaults"),
    ]

    operations = [migrations.RunPython(ship, unship)]

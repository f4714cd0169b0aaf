"""The settings row with its defaults, and the example rule "Valoración negativa → reabrir y
avisar al supervisor", shipped switched off: a bad rating (bad, 1 or 2) reopens the ticket and
notifies the supervisor. Data, not code: admins switch it on or change it in the rules."""

from django.db import migrations

NAME = "Valoración negativa → reabrir y avisar al supervisor"
RULE = {
    "name": NAME,
    "order": 50,
    "conditions": {
        "all": [
            {"field": "event.kind", "operator": "is", "value": "rated"},
            {"field": "satisfaction", "operator": "is", "value": ["bad", "1", "2"]},
        ],
        "any": [],
    },
    "actions": [
        {"type": "set_status", "value": "open"},
        {
            "type": "notify",
            "to": "supervisor",
            "text": "Valoración negativa del cliente: revisa el ticket. / A customer rated "
            "this ticket badly: please review it.",
        },
    ],
}


def ship(apps, schema_editor):
    apps.get_model("surveys", "SurveySettings").objects.get_or_create(pk=1)
    Trigger = apps.get_model("automation", "Trigger")
    if not Trigger.objects.filter(name=NAME).exists():
        Trigger.objects.create(active=False, **RULE)


def unship(apps, schema_editor):
    apps.get_model("automation", "Trigger").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0001_initial"),
        ("automation", "0005_triggers"),
    ]

    operations = [migrations.RunPython(ship, unship)]

# Written by hand (issue 16, live chat): an agent's chat capacity, counted apart from the
# ticket capacity by the assignment strategies.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_identity_alert_channel"),
    ]

    operations = [
        migrations.AddField(
            model_name="agentavailability",
            name="chat_capacity",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="The most open chats assigned at once; empty: no limit.",
                null=True,
                verbose_name="chat capacity",
            ),
        ),
    ]

# Written by hand (issue 16, live chat): a partial index of the chat tickets by assignee and
# status, so assignment counts an agent's open chats (their chat capacity) without reading
# their other tickets.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0010_sla_due"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("channel", "chat")),
                fields=["assignee", "status"],
                name="ticket_chat_load",
            ),
        ),
    ]

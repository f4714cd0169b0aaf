# Written by hand (issue 16, webhook intake on the embedded database): a request taken in
# from the spool keeps the spool's key, unique, so taking it in twice writes one row.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("messaging", "0012_alert_mailboxes"),
    ]

    operations = [
        migrations.AddField(
            model_name="channelpayload",
            name="spool_key",
            field=models.CharField(
                blank=True, max_length=64, null=True, unique=True, verbose_name="spool key"
            ),
        ),
    ]

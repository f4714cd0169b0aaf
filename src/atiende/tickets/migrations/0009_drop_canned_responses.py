from django.db import migrations


class Migration(migrations.Migration):
    """Canned responses are macros now (automation 0002 copied every one): drop the table.

    Numbered 0009 to follow 0008_language (assign helper); the lead relinks the chain on merge.
    """

    dependencies = [
        ('tickets', '0007_agent_drafts'),
        ('automation', '0002_macros'),
    ]

    operations = [
        migrations.DeleteModel(
            name='CannedResponse',
        ),
    ]

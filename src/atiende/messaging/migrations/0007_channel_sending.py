# Written by hand (issue 16, sending on channels): the outbound claim of a channel message.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0006_channels"),
    ]

    operations = [
        migrations.AddField(
            model_name="channelmessage",
            name="effect_key",
            field=models.CharField(blank=True, default="", max_length=200, verbose_name="effect key"),
        ),
        migrations.AddField(
            model_name="channelmessage",
            name="part",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="part"),
        ),
        migrations.AddField(
            model_name="channelmessage",
            name="template",
            field=models.CharField(blank=True, default="", max_length=512, verbose_name="template"),
        ),
        migrations.AddField(
            model_name="channelmessage",
            name="template_language",
            field=models.CharField(
                blank=True, default="", max_length=16, verbose_name="template language"
            ),
        ),
        migrations.AddConstraint(
            model_name="channelmessage",
            constraint=models.UniqueConstraint(
                condition=models.Q(("effect_key", ""), _negated=True),
                fields=("effect_key", "part"),
                name="channel_message_unique_effect_part",
            ),
        ),
    ]

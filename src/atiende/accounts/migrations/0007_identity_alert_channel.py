# Written by hand (issue 16, monitoring alerts): the monitor behind an alert account is known
# by an identity on the "alert" channel.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_folded_name'),
    ]

    operations = [
        migrations.AlterField(
            model_name='identity',
            name='channel',
            field=models.CharField(choices=[('email', 'Email'), ('phone', 'Phone'), ('whatsapp', 'WhatsApp'), ('telegram', 'Telegram'), ('sms', 'SMS'), ('facebook', 'Facebook'), ('instagram', 'Instagram'), ('x', 'X (Twitter)'), ('chat', 'Web chat'), ('alert', 'Monitoring system')], max_length=16, verbose_name='channel'),
        ),
    ]

# Written by hand (issue 16, alert emails): a mailbox can be an alert inbox, its alerts kept
# on a channel account of the new provider "alert_email".

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('messaging', '0011_chat_bot'),
    ]

    operations = [
        migrations.AlterField(
            model_name='channelaccount',
            name='provider',
            field=models.CharField(choices=[('whatsapp', 'WhatsApp Business (Cloud API)'), ('messenger', 'Facebook Messenger'), ('instagram', 'Instagram messaging'), ('telegram', 'Telegram bot'), ('twilio_sms', 'SMS through Twilio'), ('twilio_voice', 'Phone calls through Twilio'), ('generic_pbx', 'Phone calls from a PBX'), ('alertmanager', 'Prometheus Alertmanager'), ('zabbix', 'Zabbix'), ('nagios', 'Nagios or Icinga'), ('generic_alert', 'Monitoring alerts (generic JSON)'), ('alert_email', 'Monitoring alerts by email')], max_length=32, verbose_name='provider'),
        ),
        migrations.AddField(
            model_name='mailbox',
            name='alert_inbox',
            field=models.BooleanField(default=False, help_text='Mail to this address is read as monitoring alerts: a ticket per alert, repeats added to it, recoveries solve it.', verbose_name='alert inbox'),
        ),
        migrations.AddField(
            model_name='mailbox',
            name='alert_senders',
            field=models.TextField(blank=True, default='', help_text='One address (nagios@example.com) or domain (@example.com) per line. Empty: any sender; mail from others waits in the quarantine.', verbose_name='allowed alert senders'),
        ),
        migrations.AddField(
            model_name='mailbox',
            name='alert_solve_on_recovery',
            field=models.BooleanField(default=True, help_text="A recovery mail solves the alert's ticket once none of its alerts fires.", verbose_name='solve on recovery'),
        ),
        migrations.AddField(
            model_name='mailbox',
            name='alert_account',
            field=models.OneToOneField(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='alert_mailbox', to='messaging.channelaccount', verbose_name='alert account'),
        ),
    ]

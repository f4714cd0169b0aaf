# Written by hand (issue 16, monitoring alerts): the key → ticket link of alert incidents.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('messaging', '0007_channel_sending'),
        ('tickets', '0010_sla_due'),
    ]

    operations = [
        migrations.CreateModel(
            name='AlertIncident',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=255, verbose_name='alert key')),
                ('state', models.CharField(choices=[('firing', 'Firing'), ('resolved', 'Resolved'), ('ended', 'Ended')], default='firing', max_length=10, verbose_name='state')),
                ('flooded', models.BooleanField(default=False, verbose_name='folded into a flood ticket')),
                ('title', models.CharField(blank=True, default='', max_length=255, verbose_name='title')),
                ('occurrence', models.CharField(blank=True, default='', max_length=64, verbose_name="monitor's id of the firing")),
                ('count', models.PositiveIntegerField(default=1, verbose_name='times fired')),
                ('first_at', models.DateTimeField(verbose_name='first fired at')),
                ('last_at', models.DateTimeField(verbose_name='last fired at')),
                ('resolved_at', models.DateTimeField(blank=True, null=True, verbose_name='resolved at')),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='alert_incidents', to='messaging.channelaccount', verbose_name='account')),
                ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='alert_incidents', to='tickets.ticket', verbose_name='ticket')),
            ],
            options={
                'verbose_name': 'alert incident',
                'verbose_name_plural': 'alert incidents',
                'indexes': [models.Index(fields=['account', 'flooded', 'first_at'], name='alert_incident_window')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('state', 'ended'), _negated=True), fields=('account', 'key'), name='alert_incident_one_live_per_key')],
            },
        ),
    ]

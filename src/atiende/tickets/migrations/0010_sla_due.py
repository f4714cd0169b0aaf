from django.db import migrations, models
from django.db.models import Q

DUE = ("first_response_due_at", "next_response_due_at", "resolution_due_at")


def fill_sla_due(apps, schema_editor):
    """Give tickets that already have due times their next breach (the soonest of the three)."""
    Ticket = apps.get_model("tickets", "Ticket")
    held = Q(first_response_due_at__isnull=False) | Q(next_response_due_at__isnull=False)
    held |= Q(resolution_due_at__isnull=False)
    batch = []
    for ticket in Ticket.objects.filter(held).only("pk", *DUE).iterator(chunk_size=1000):
        ticket.sla_due_at = min(d for d in (getattr(ticket, f) for f in DUE) if d is not None)
        batch.append(ticket)
        if len(batch) >= 1000:
            Ticket.objects.bulk_update(batch, ["sla_due_at"])
            batch = []
    Ticket.objects.bulk_update(batch, ["sla_due_at"])


class Migration(migrations.Migration):
    """The inbox's due column: the ticket's next SLA breach, indexed, and whether its clocks
    are paused. Numbered 0010 to follow 0009_drop_canned_responses."""

    dependencies = [
        ('tickets', '0009_drop_canned_responses'),
    ]

    operations = [
        migrations.AddField(
            model_name='ticket',
            name='sla_due_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='ticket',
            name='sla_paused',
            field=models.BooleanField(default=False),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['sla_due_at', 'id'], name='ticket_sla_due'),
        ),
        migrations.RunPython(fill_sla_due, migrations.RunPython.noop, elidable=True),
    ]

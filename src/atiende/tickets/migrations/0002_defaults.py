"""Default statuses, priorities, and the ticket number counter/sequence."""

from django.db import migrations

STATUSES = [
    # key, English, Spanish, category, order
    ("new", "New", "Nuevo", "new", 10),
    ("open", "Open", "Abierto", "open", 20),
    ("in_progress", "In progress", "En curso", "open", 30),
    ("pending", "Pending", "Pendiente", "pending", 40),
    ("on_hold", "On hold", "En espera", "on_hold", 50),
    ("delayed", "Delayed", "Retrasado", "on_hold", 60),
    ("solved", "Solved", "Resuelto", "solved", 70),
    ("closed", "Closed", "Cerrado", "closed", 80),
    ("cancelled", "Cancelled", "Cancelado", "cancelled", 90),
]
WORKING = ["open", "in_progress", "pending", "on_hold", "delayed"]
TRANSITIONS = {
    "new": WORKING + ["solved", "closed", "cancelled"],
    **{k: [s for s in WORKING if s != k] + ["solved", "closed", "cancelled"] for k in WORKING},
    "solved": ["open", "in_progress", "closed"],
    "closed": [],
    "cancelled": ["open"],
}
PRIORITIES = [
    ("low", "Low", "Baja", 10, "#6c757d"),
    ("normal", "Normal", "Normal", 20, "#0d6efd"),
    ("high", "High", "Alta", 30, "#fd7e14"),
    ("urgent", "Urgent", "Urgente", 40, "#dc3545"),
]
SEQUENCE = "tickets_ticket_number_seq"


def create_defaults(apps, schema_editor):
    Status = apps.get_model("tickets", "Status")
    Priority = apps.get_model("tickets", "Priority")
    TicketNumber = apps.get_model("tickets", "TicketNumber")
    by_key = {}
    for key, en, es, category, order in STATUSES:
        by_key[key] = Status.objects.create(
            key=key, name_en=en, name_es=es, category=category, order=order, is_default=key == "new"
        )
    for key, targets in TRANSITIONS.items():
        by_key[key].allowed_next.set([by_key[t] for t in targets])
    for key, en, es, order, color in PRIORITIES:
        Priority.objects.create(
            key=key, name_en=en, name_es=es, order=order, color=color, is_default=key == "normal"
        )
    TicketNumber.objects.create(id=1, last=1000)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} START 1001")


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, drop_sequence)]

"""PostgreSQL: rebuild every ticket's document with accents folded (``search.folding``).

Documents written before this were indexed with their accents, so "vazquez" missed
"Vázquez". The rebuild runs the backend's own statement over the tickets in batches of ids;
SQLite's FTS5 index already folds accents and is left alone. Large installations may prefer
``manage.py reindex_search`` later: this migration reads every ticket once.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

BATCH = 1_000


def refold(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    from atiende.search.backends.postgresql import REINDEX

    table = connection.ops.quote_name(apps.get_model("tickets", "Ticket")._meta.db_table)
    select = f"SELECT id FROM {table} WHERE id > %s ORDER BY id LIMIT %s"  # noqa: S608
    last = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(select, [last, BATCH])
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                return
            cursor.execute(REINDEX, [ids, ids])
            last = ids[-1]


class Migration(migrations.Migration):
    dependencies = [("search", "0002_search_ticket_ids"), ("tickets", "0006_tally")]

    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]

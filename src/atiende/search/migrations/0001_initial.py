"""Create the ticket search index: FTS5 on SQLite, tsvector + GIN on PostgreSQL."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

SQLITE = [
    """
    CREATE VIRTUAL TABLE search_ticket_index USING fts5(
        subject, public_text, internal_text,
        tokenize = 'porter unicode61 remove_diacritics 2'
    )
    """,
]
SQLITE_REVERSE = ["DROP TABLE IF EXISTS search_ticket_index"]

POSTGRESQL = [
    """
    CREATE TABLE search_ticket_index (
        ticket_id bigint PRIMARY KEY,
        public_vector tsvector NOT NULL,
        all_vector tsvector NOT NULL
    )
    """,
    "CREATE INDEX search_ticket_index_public ON search_ticket_index USING gin (public_vector)",
    "CREATE INDEX search_ticket_index_all ON search_ticket_index USING gin (all_vector)",
]
POSTGRESQL_REVERSE = ["DROP TABLE IF EXISTS search_ticket_index"]


def _run(statements: dict[str, list[str]], schema_editor: BaseDatabaseSchemaEditor) -> None:
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}, schema_editor)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]

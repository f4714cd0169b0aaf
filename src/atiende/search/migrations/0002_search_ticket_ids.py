"""PostgreSQL: a function that reads matching ticket ids through the GIN index only.

The planner's estimates for text queries are rough; with a LIMIT it may pick a sequential
scan that detoasts every document. The function's settings rule that out for its query only.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

CREATE = """
CREATE OR REPLACE FUNCTION search_ticket_ids(query tsquery, include_internal boolean, max_rows integer)
RETURNS SETOF bigint
LANGUAGE sql STABLE PARALLEL SAFE
SET enable_seqscan = off
SET enable_indexscan = off
AS $$
    (SELECT ticket_id FROM search_ticket_index WHERE include_internal AND all_vector @@ query)
    UNION ALL
    (SELECT ticket_id FROM search_ticket_index WHERE NOT include_internal AND public_vector @@ query)
    LIMIT max_rows
$$
"""
DROP = "DROP FUNCTION IF EXISTS search_ticket_ids(tsquery, boolean, integer)"


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]

"""Human ticket numbers (#1042): unique and increasing under concurrent creates.

PostgreSQL hands them out from a sequence, which never blocks concurrent transactions. SQLite
serialises writers already (IMMEDIATE transactions), so a counter row bumped with
``UPDATE … RETURNING`` inside the creating transaction is enough and leaves no gaps.
"""

from __future__ import annotations

from django.db import connection

from atiende.core import rows

SEQUENCE = "tickets_ticket_number_seq"
FIRST_NUMBER = 1001


def next_ticket_number() -> int:
    with rows.cursor(connection) as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT nextval('{SEQUENCE}')")
        else:
            cursor.execute(
                "UPDATE tickets_ticketnumber SET last = last + 1 WHERE id = 1 RETURNING last"
            )
        row = cursor.fetchone()
    if row is None:
        raise RuntimeError("ticket number counter is missing; run the migrations")
    return int(row[0])

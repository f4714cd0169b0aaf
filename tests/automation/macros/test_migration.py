"""The data migration: every canned response becomes a macro without actions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import make_agent, make_group

BEFORE = [("automation", "0001_initial"), ("tickets", "0007_agent_drafts")]
AFTER = [("automation", "0002_macros"), ("tickets", "0009_drop_canned_responses")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_canned_responses_are_copied_into_macros_without_actions() -> None:
    group = make_group()
    agent = make_agent(group)
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(BEFORE)
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        canned = old.get_model("tickets", "CannedResponse")
        canned.objects.create(name="Saludo", body="Hola {{ customer.first_name }}")
        canned.objects.create(name="Mío", body="Un saludo", owner_id=agent.pk, is_active=False)
        canned.objects.create(name="Soporte", body="9 a 18", group_id=group.pk)

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        macros = new.get_model("automation", "Macro")
        copied = {
            (m.name, m.body, m.owner_id, m.group_id, m.is_active, tuple(m.actions))
            for m in macros.objects.all()
        }
        assert copied == {
            ("Saludo", "Hola {{ customer.first_name }}", None, None, True, ()),
            ("Mío", "Un saludo", agent.pk, None, False, ()),
            ("Soporte", "9 a 18", None, group.pk, True, ()),
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(leaves)

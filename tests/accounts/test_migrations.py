"""The data migration: existing users and organizations get their name folded."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0005_availability")]
AFTER = [("accounts", "0006_folded_name")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_names_are_folded() -> None:
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(BEFORE)
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        users, orgs = old.get_model("accounts", "User"), old.get_model("accounts", "Organization")
        org = orgs.objects.create(name="Construcciones PEÑA")
        accented = users.objects.create(email="a@example.com", name="Ramón Vázquez", password="!")
        decomposed = users.objects.create(email="b@example.com", name="Va\u0301zquez", password="!")
        nameless = users.objects.create(email="c@example.com", name="", password="!")

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        folded = dict(new.get_model("accounts", "User").objects.values_list("pk", "folded_name"))
        assert folded[accented.pk] == "ramon vazquez"
        assert folded[decomposed.pk] == "vazquez"
        assert folded[nameless.pk] == ""
        org_folded = new.get_model("accounts", "Organization").objects.get(pk=org.pk).folded_name
        assert org_folded == "construcciones pena"
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(leaves)

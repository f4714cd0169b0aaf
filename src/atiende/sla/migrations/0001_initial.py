from django.db import migrations


class Migration(migrations.Migration):
    """The app's first migration: empty, so each part of the app adds its own after it."""

    initial = True
    dependencies: list[tuple[str, str]] = []
    operations: list[migrations.operations.base.Operation] = []

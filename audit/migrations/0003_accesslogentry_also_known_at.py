"""The patient's other care units on each access-log row (DESIGN S1).

SQLite adds a NOT NULL column by rebuilding the table, which drops the append-only
triggers of 0002 with the old table; they are put back. PostgreSQL adds the column
in place and keeps its trigger.
"""

from importlib import import_module

from django.db import migrations, models

append_only = import_module("audit.migrations.0002_append_only")


def restore_sqlite_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in append_only.SQLITE_FORWARD:
        schema_editor.execute(statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS"),
                              params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_append_only"),
    ]

    operations = [
        # Undone last, after the column is gone again (the same rebuild).
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_triggers),
        migrations.AddField(
            model_name="accesslogentry",
            name="also_known_at",
            field=models.TextField(blank=True, verbose_name="även känd vid"),
        ),
        migrations.RunPython(restore_sqlite_triggers, migrations.RunPython.noop),
    ]

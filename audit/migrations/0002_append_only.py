"""The access log is append-only in the database itself (DESIGN S1).

A trigger refuses UPDATE and DELETE of any row, whoever asks, so the application's
own database role cannot rewrite history either. The SQL differs per database, so
it runs from Python with the vendor's dialect (PostgreSQL in production and tests,
SQLite for the local demo).

TRUNCATE is not a row operation and is not refused here: the test harness empties
tables with it. In production the application role should not own the table, or
TRUNCATE should be revoked from it (README, "Security and privacy").
"""

from django.db import migrations

TABLE = "audit_accesslogentry"

POSTGRESQL_FORWARD = f"""
CREATE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only: % of {TABLE} is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only();
"""
POSTGRESQL_BACKWARD = f"""
DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};
DROP FUNCTION IF EXISTS {TABLE}_append_only();
"""
SQLITE_FORWARD = [
    f"""CREATE TRIGGER {TABLE}_no_{op.lower()} BEFORE {op} ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'the access log is append-only: {op} of {TABLE} is not allowed');
        END;"""
    for op in ("UPDATE", "DELETE")
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS {TABLE}_no_{op};" for op in ("update", "delete")]


def run(statements: dict):
    def apply(apps, schema_editor) -> None:
        sql = statements.get(schema_editor.connection.vendor)
        if sql is None:
            raise RuntimeError(f"No append-only trigger for {schema_editor.connection.vendor}")
        for statement in [sql] if isinstance(sql, str) else sql:
            schema_editor.execute(statement, params=None)
    return apply


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            run({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]

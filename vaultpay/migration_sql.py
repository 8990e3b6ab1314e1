"""Run a SQL file that ships beside a migration (triggers and functions in PL/pgSQL)."""

from pathlib import Path

from django.db import migrations


def run_sql_file_on_postgresql(forward: Path, backward: Path) -> migrations.RunPython:
    def _runner(path: Path):
        def run(apps, schema_editor):
            # A plain cursor, not schema_editor.execute: PL/pgSQL's '%' placeholders are not
            # query parameters and must reach the server untouched.
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(path.read_text())

        return run

    return migrations.RunPython(_runner(forward), _runner(backward))


def reinstall_sql_files_on_postgresql(*paths: Path) -> migrations.RunPython:
    """Run the files as they are now, in order (functions replaced with CREATE OR REPLACE, or dropped and
    created again). Backwards there is nothing to restore: a function keeps the version it has."""

    def run(apps, schema_editor):
        with schema_editor.connection.cursor() as cursor:
            for path in paths:
                cursor.execute(path.read_text())

    return migrations.RunPython(run, migrations.RunPython.noop)

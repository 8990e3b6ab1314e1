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

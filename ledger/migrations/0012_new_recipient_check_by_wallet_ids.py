"""The new-recipient check looks payments up by the owners' wallet ids (transaction_payee_idx ranges)."""

from pathlib import Path

from django.db import migrations

SQL_FILE = Path(__file__).resolve().parent.parent / "sql" / "posting.sql"


def reinstall(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(SQL_FILE.read_text())


class Migration(migrations.Migration):
    dependencies = [("ledger", "0011_posting_functions_reinstalled")]

    # CREATE OR REPLACE with unchanged signatures. Backwards there is nothing to restore: the earlier
    # version of the check was never released.
    operations = [migrations.RunPython(reinstall, migrations.RunPython.noop)]

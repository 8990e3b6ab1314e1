"""The new-recipient check looks payments up by the owners' wallet ids (transaction_payee_idx ranges)."""

from pathlib import Path

from django.db import migrations

from vaultpay.migration_sql import reinstall_sql_files_on_postgresql


class Migration(migrations.Migration):
    dependencies = [("ledger", "0011_posting_functions_reinstalled")]

    # CREATE OR REPLACE with unchanged signatures; the earlier version of the check was never released.
    operations = [reinstall_sql_files_on_postgresql(Path(__file__).resolve().parent.parent / "sql" / "posting.sql")]

from pathlib import Path

from django.db import migrations

from vaultpay.migration_sql import run_sql_file_on_postgresql

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_dispute")]

    operations = [run_sql_file_on_postgresql(SQL_DIR / "reversal_guard.sql", SQL_DIR / "reversal_guard_drop.sql")]

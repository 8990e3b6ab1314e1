from pathlib import Path

from django.db import migrations

from vaultpay.migration_sql import run_sql_file_on_postgresql

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [run_sql_file_on_postgresql(SQL_DIR / "guards.sql", SQL_DIR / "guards_drop.sql")]

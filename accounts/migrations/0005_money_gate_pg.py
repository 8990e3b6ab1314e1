from pathlib import Path

from django.db import migrations

from vaultpay.migration_sql import run_sql_file_on_postgresql

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_role_groups")]

    operations = [run_sql_file_on_postgresql(SQL_DIR / "money_gate.sql", SQL_DIR / "money_gate_drop.sql")]

from pathlib import Path

from django.db import migrations

from vaultpay.migration_sql import run_sql_file_on_postgresql

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_auditevent_hash_chain")]

    operations = [run_sql_file_on_postgresql(SQL_DIR / "append_only.sql", SQL_DIR / "append_only_drop.sql")]

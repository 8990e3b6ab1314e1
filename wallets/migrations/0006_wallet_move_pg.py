from pathlib import Path

from django.db import migrations

from vaultpay.migration_sql import run_sql_file_on_postgresql

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


class Migration(migrations.Migration):
    dependencies = [("wallets", "0005_wallet_usage_per_owner")]

    operations = [run_sql_file_on_postgresql(SQL_DIR / "wallet_move.sql", SQL_DIR / "wallet_move_drop.sql")]

"""The posting's functions as they are now, on a database that installed an earlier version of them."""

from pathlib import Path

from django.db import migrations

from vaultpay.migration_sql import reinstall_sql_files_on_postgresql

BASE = Path(__file__).resolve().parent.parent.parent


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0010_transaction_payee_index"),
        ("accounts", "0007_account_lifecycle"),
        ("wallets", "0010_personal_limits"),
    ]

    # The earlier versions were never released: there is nothing to restore backwards.
    operations = [
        reinstall_sql_files_on_postgresql(
            BASE / "ledger" / "sql" / "posting_functions_drop_every_version.sql",
            BASE / "accounts" / "sql" / "money_gate.sql",
            BASE / "wallets" / "sql" / "wallet_move.sql",
            BASE / "ledger" / "sql" / "posting.sql",
        )
    ]

"""The posting's functions for holds, refunds and metadata: the money request's gate on its own
(ledger_request_gate), metadata on the one-statement requests, holds in the spending limits, refunds in
the guard of money returned, and the guard that settles a hold once."""

from pathlib import Path

from django.db import migrations

from vaultpay.migration_sql import reinstall_sql_files_on_postgresql, run_sql_file_on_postgresql

BASE = Path(__file__).resolve().parent.parent.parent
SQL_DIR = BASE / "ledger" / "sql"


class Migration(migrations.Migration):
    dependencies = [("ledger", "0013_holds_refunds_metadata")]

    # ledger_money_request() gained a parameter: every earlier version goes first.
    operations = [
        reinstall_sql_files_on_postgresql(
            SQL_DIR / "posting_functions_drop_every_version.sql",
            BASE / "accounts" / "sql" / "money_gate.sql",
            BASE / "wallets" / "sql" / "wallet_move.sql",
            SQL_DIR / "posting.sql",
            SQL_DIR / "reversal_guard.sql",
        ),
        run_sql_file_on_postgresql(SQL_DIR / "hold_guard.sql", SQL_DIR / "hold_guard_drop.sql"),
    ]

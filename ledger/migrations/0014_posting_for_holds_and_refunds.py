"""The posting's functions for holds, refunds and metadata: the money request's gate on its own
(ledger_request_gate), metadata on the one-statement requests, holds in the spending limits, refunds in
the guard of money returned, and the guard that settles a hold once."""

from pathlib import Path

from django.db import migrations

from vaultpay.migration_sql import run_sql_file_on_postgresql

BASE = Path(__file__).resolve().parent.parent.parent
SQL_DIR = BASE / "ledger" / "sql"
# ledger_money_request() gained a parameter: every earlier version goes first.
FILES = [
    SQL_DIR / "posting_functions_drop_every_version.sql",
    BASE / "accounts" / "sql" / "money_gate.sql",
    BASE / "wallets" / "sql" / "wallet_move.sql",
    SQL_DIR / "posting.sql",
    SQL_DIR / "reversal_guard.sql",
]


def reinstall(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for path in FILES:
            cursor.execute(path.read_text())


class Migration(migrations.Migration):
    dependencies = [("ledger", "0013_holds_refunds_metadata")]

    # Backwards there is nothing to restore: the functions stay those of this version.
    operations = [
        migrations.RunPython(reinstall, migrations.RunPython.noop),
        run_sql_file_on_postgresql(SQL_DIR / "hold_guard.sql", SQL_DIR / "hold_guard_drop.sql"),
    ]

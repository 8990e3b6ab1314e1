"""Holds in one round trip per request: ledger_money_request() grew a 23rd parameter (the hold's
lifetime) and writes the hold itself; ledger_hold_settle() captures, voids and expires. Every earlier
version of the posting's functions goes first."""

from pathlib import Path

from django.db import migrations

from vaultpay.migration_sql import reinstall_sql_files_on_postgresql

BASE = Path(__file__).resolve().parent.parent.parent


class Migration(migrations.Migration):
    dependencies = [("ledger", "0014_posting_for_holds_and_refunds")]

    operations = [
        reinstall_sql_files_on_postgresql(
            BASE / "ledger" / "sql" / "posting_functions_drop_every_version.sql",
            BASE / "accounts" / "sql" / "money_gate.sql",
            BASE / "wallets" / "sql" / "wallet_move.sql",
            BASE / "ledger" / "sql" / "posting.sql",
            BASE / "ledger" / "sql" / "hold_settle.sql",
        )
    ]

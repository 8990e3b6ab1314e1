"""The posting's functions as they are now, on a database that installed an earlier version of them."""

from pathlib import Path

from django.db import migrations

BASE = Path(__file__).resolve().parent.parent.parent
FILES = [
    BASE / "ledger" / "sql" / "posting_functions_drop_every_version.sql",
    BASE / "accounts" / "sql" / "money_gate.sql",
    BASE / "wallets" / "sql" / "wallet_move.sql",
    BASE / "ledger" / "sql" / "posting.sql",
]


def reinstall(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for path in FILES:
            cursor.execute(path.read_text())


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0010_transaction_payee_index"),
        ("accounts", "0007_account_lifecycle"),
        ("wallets", "0010_personal_limits"),
    ]

    # Backwards there is nothing to restore: the earlier versions were never released.
    operations = [migrations.RunPython(reinstall, migrations.RunPython.noop)]

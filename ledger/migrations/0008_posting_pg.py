"""The posting moves into PostgreSQL functions; receipts leave through an outbox; system wallets cache no balance."""

from pathlib import Path

import django.utils.timezone
from django.db import migrations, models

from vaultpay.migration_sql import run_sql_file_on_postgresql

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"

# Receipts still waiting for their task move into the outbox; system wallets' cached balances go
# (the entries hold them), so every deposit and withdrawal stops rewriting one row per currency.
MOVE_PENDING_RECEIPTS = """
INSERT INTO ledger_outboxmessage (topic, subject_id, created_at)
SELECT 'transaction.receipts', id::text, created_at FROM ledger_transaction WHERE receipts_pending
"""
FORGET_SYSTEM_BALANCES = "UPDATE wallets_wallet SET balance = 0 WHERE kind = 'system'"


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0007_transaction_receipts_pending"),
        ("wallets", "0006_wallet_move_pg"),
        ("accounts", "0005_money_gate_pg"),
        ("audit", "0007_audit_sealing"),
    ]

    operations = [
        migrations.CreateModel(
            name="OutboxMessage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("topic", models.CharField(max_length=64)),
                ("subject_id", models.CharField(help_text="The id of the row the message is about.", max_length=64)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.RunSQL(MOVE_PENDING_RECEIPTS, migrations.RunSQL.noop),
        migrations.RemoveIndex(model_name="transaction", name="transaction_receipts_due_idx"),
        migrations.RemoveField(model_name="transaction", name="receipts_pending"),
        migrations.AlterField(
            model_name="entry",
            name="balance_after",
            field=models.BigIntegerField(
                blank=True, help_text="A user wallet's balance right after this entry.", null=True
            ),
        ),
        migrations.RunSQL(FORGET_SYSTEM_BALANCES, migrations.RunSQL.noop),
        run_sql_file_on_postgresql(SQL_DIR / "posting.sql", SQL_DIR / "posting_drop.sql"),
    ]

"""Spent counters move from the wallet row to the owner and currency, recounted from the ledger."""

from django.conf import settings
from django.db import migrations, models

# What each owner sent in each currency this UTC day and month, from every wallet they ever had.
RECOUNT_SQL = """
INSERT INTO wallets_walletusage (owner_id, currency, day, day_total, month, month_total)
SELECT w.owner_id, t.currency,
       (now() AT TIME ZONE 'UTC')::date,
       COALESCE(SUM(t.amount) FILTER (WHERE t.created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'), 0),
       date_trunc('month', now() AT TIME ZONE 'UTC')::date,
       SUM(t.amount)
  FROM ledger_transaction t JOIN wallets_wallet w ON w.id = t.from_wallet_id
 WHERE w.kind = 'user' AND t.kind IN ('withdrawal', 'transfer')
   AND t.created_at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
 GROUP BY w.owner_id, t.currency
"""


class Migration(migrations.Migration):
    dependencies = [
        ("wallets", "0004_wallet_spent_counters"),
        ("ledger", "0007_transaction_receipts_pending"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="WalletUsage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("currency", models.CharField(choices=[('USD', 'USD'), ('EUR', 'EUR'), ('GBP', 'GBP'), ('INR', 'INR'), ('NGN', 'NGN'), ('JPY', 'JPY'), ('KWD', 'KWD')], max_length=3)),
                ("day", models.DateField()),
                ("day_total", models.BigIntegerField(default=0)),
                ("month", models.DateField(help_text="First day of that month.")),
                ("month_total", models.BigIntegerField(default=0)),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("owner", "currency"), name="wallet_usage_one_per_owner_currency"),
                    models.CheckConstraint(
                        condition=models.Q(day_total__gte=0, month_total__gte=0), name="wallet_usage_non_negative"
                    ),
                ],
            },
        ),
        migrations.RunSQL(RECOUNT_SQL, migrations.RunSQL.noop),
        migrations.RemoveField(model_name="wallet", name="spent_day"),
        migrations.RemoveField(model_name="wallet", name="spent_day_total"),
        migrations.RemoveField(model_name="wallet", name="spent_month"),
        migrations.RemoveField(model_name="wallet", name="spent_month_total"),
    ]

"""Spent counters on the wallet row, filled from the ledger for the current UTC day and month."""

from datetime import UTC, datetime, time

from django.db import migrations, models
from django.db.models import Q, Sum
from django.utils import timezone

OUTGOING_KINDS = ["withdrawal", "transfer"]


def count_the_current_periods_from_the_ledger(apps, schema_editor):
    Wallet = apps.get_model("wallets", "Wallet")
    Transaction = apps.get_model("ledger", "Transaction")
    day = timezone.now().astimezone(UTC).date()
    month = day.replace(day=1)
    day_start, month_start = (datetime.combine(d, time.min, tzinfo=UTC) for d in (day, month))
    totals = (
        Transaction.objects.filter(kind__in=OUTGOING_KINDS, created_at__gte=month_start, from_wallet__kind="user")
        .values("from_wallet")
        .annotate(monthly=Sum("amount"), daily=Sum("amount", filter=Q(created_at__gte=day_start)))
    )
    for row in totals.iterator():
        Wallet.objects.filter(pk=row["from_wallet"]).update(
            spent_day=day, spent_day_total=row["daily"] or 0, spent_month=month, spent_month_total=row["monthly"]
        )


class Migration(migrations.Migration):

    dependencies = [
        ('wallets', '0003_wallet_admin_permissions'),
        ('ledger', '0006_transaction_created_at_from_posting'),
    ]

    operations = [
        migrations.AddField(
            model_name='wallet',
            name='spent_day',
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='wallet',
            name='spent_day_total',
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='wallet',
            name='spent_month',
            field=models.DateField(blank=True, editable=False, help_text='First day of that month.', null=True),
        ),
        migrations.AddField(
            model_name='wallet',
            name='spent_month_total',
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(count_the_current_periods_from_the_ledger, migrations.RunPython.noop),
    ]

"""receipts_pending: True for new transactions until their receipts are queued.

Rows that exist already get False: their receipts were published at the time (or long given up on),
and a sweep that mailed every past transaction again would be worse than the gap it closes. Adding
the column with False is instant on PostgreSQL; the model's default then becomes True.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0006_transaction_created_at_from_posting'),
        ('wallets', '0004_wallet_spent_counters'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='transaction',
            name='receipts_pending',
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AlterField(
            model_name='transaction',
            name='receipts_pending',
            field=models.BooleanField(default=True, editable=False),
        ),
        migrations.AddIndex(
            model_name='transaction',
            index=models.Index(condition=models.Q(('receipts_pending', True)), fields=['id'], name='transaction_receipts_due_idx'),
        ),
    ]

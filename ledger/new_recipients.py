"""Unsolicited payments: a sender who has never paid a recipient before may push only a few payments
to them per UTC day (TRANSFER_NEW_RECIPIENT_DAILY_MAX), so nobody can flood a stranger's inbox with
0.01 transfers whose descriptions carry a phishing text."""

from datetime import datetime

from django.conf import settings
from django.db.models import Count, Q

from ledger.exceptions import NewRecipientDailyLimit
from ledger.models import Transaction, TransactionKind
from wallets.models import Wallet


def transfer_new_recipient_check(*, source: Wallet, destination: Wallet, now: datetime) -> None:
    """Raise NewRecipientDailyLimit when the sender never paid the recipient before today and has
    already sent them the day's maximum.

    Called with the sender's wallet locked, so concurrent transfers of one sender are counted one
    after the other. Counted by owner, not wallet: closing and reopening a wallet changes nothing.
    """
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    sent = Transaction.objects.filter(
        kind=TransactionKind.TRANSFER,
        from_wallet__owner_id=source.owner_id,
        to_wallet__owner_id=destination.owner_id,
    ).aggregate(
        before_today=Count("pk", filter=Q(created_at__lt=day_start)),
        today=Count("pk", filter=Q(created_at__gte=day_start)),
    )
    if sent["before_today"]:
        return  # an established payee: the spending limits are the only cap
    limit = settings.TRANSFER_NEW_RECIPIENT_DAILY_MAX
    if sent["today"] >= limit:
        raise NewRecipientDailyLimit(details={"max_per_day": limit})

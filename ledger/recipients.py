"""Who a sender has paid before: the step-up check asks before a transfer to a stranger."""

from ledger.models import Transaction, TransactionKind
from wallets.models import Wallet


def recipient_is_new(*, sender, to_wallet_id: str) -> bool:
    """True unless `sender` has already sent a transfer to the owner of `to_wallet_id` (any of their wallets)."""
    owner_id = Wallet.objects.filter(public_id=to_wallet_id).values_list("owner_id", flat=True).first()
    if owner_id is None:
        return False  # no such wallet: the transfer itself answers wallet_not_found
    return not Transaction.objects.filter(
        kind=TransactionKind.TRANSFER, initiator=sender, to_wallet__owner_id=owner_id
    ).exists()

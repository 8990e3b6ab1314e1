from ledger.services.disputes import (
    dispute_open,
    dispute_reject,
    dispute_reversal_approve,
    dispute_reverse,
    dispute_take,
)
from ledger.services.money_movement import PostingResult, wallet_deposit, wallet_transfer, wallet_withdraw
from ledger.services.reversal import ReversalResult, transaction_reverse

__all__ = [
    "PostingResult",
    "ReversalResult",
    "dispute_open",
    "dispute_reject",
    "dispute_reversal_approve",
    "dispute_reverse",
    "dispute_take",
    "transaction_reverse",
    "wallet_deposit",
    "wallet_transfer",
    "wallet_withdraw",
]

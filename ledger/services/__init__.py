from ledger.services.disputes import (
    dispute_open,
    dispute_reject,
    dispute_reversal_approve,
    dispute_reverse,
    dispute_take,
)
from ledger.services.money_movement import PostingResult, deposit, transfer, withdraw
from ledger.services.reversal import ReversalResult, transaction_reverse

__all__ = [
    "PostingResult",
    "ReversalResult",
    "deposit",
    "dispute_open",
    "dispute_reject",
    "dispute_reversal_approve",
    "dispute_reverse",
    "dispute_take",
    "transaction_reverse",
    "transfer",
    "withdraw",
]

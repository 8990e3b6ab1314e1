from ledger.services.money_movement import PostingResult, deposit, transfer, withdraw

__all__ = ["PostingResult", "deposit", "transfer", "withdraw"]

"""Deposit, withdraw and transfer: the money services the API calls, each one durable transaction."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ledger.exceptions import SelfTransfer
from ledger.idempotency import IdempotencyRequest, idempotency_claim, idempotency_complete
from ledger.models import Transaction, TransactionKind
from ledger.new_recipients import transfer_new_recipient_check
from ledger.services.posting import ledger_post, wallets_lock
from vaultpay.money import Money
from wallets.models import SystemWalletPurpose, Wallet
from wallets.selectors import wallets_lock_sender_and_recipient, wallets_lock_user_and_system
from wallets.services import wallet_system_get


@dataclass(frozen=True)
class PostingResult:
    transaction: Transaction
    replayed: bool


def _lock_wallet_and_world(*, user, currency: str) -> tuple[Wallet, Wallet]:
    """The user's open wallet and @world of `currency`, both locked (one query once @world exists)."""
    wallet, world = wallets_lock_user_and_system(user=user, currency=currency, purpose=SystemWalletPurpose.WORLD)
    if world is None:  # the currency's first money: create @world, then lock it (its id is the higher one)
        (world,) = wallets_lock(wallet_system_get(currency=currency, purpose=SystemWalletPurpose.WORLD))
    return wallet, world


@transaction.atomic(durable=True)
def deposit(*, user, amount: Money, idempotency: IdempotencyRequest) -> PostingResult:
    """Credit the user's wallet with money entering VaultPay (from @world).

    Raises IdempotencyRequestInProgress, IdempotencyKeyReused, WalletNotFound, WalletFrozen,
    WalletClosed, CurrencyMismatch.
    """
    if earlier := idempotency_claim(idempotency):
        return PostingResult(earlier, replayed=True)
    wallet, world = _lock_wallet_and_world(user=user, currency=amount.currency.code)
    posted = ledger_post(kind=TransactionKind.DEPOSIT, source=world, destination=wallet, amount=amount, initiator=user)
    idempotency_complete(idempotency, posted=posted)
    return PostingResult(posted, replayed=False)


@transaction.atomic(durable=True)
def withdraw(*, user, amount: Money, idempotency: IdempotencyRequest) -> PostingResult:
    """Pay money out of the user's wallet (to @world).

    Raises IdempotencyRequestInProgress, IdempotencyKeyReused, WalletNotFound, WalletFrozen,
    WalletClosed, CurrencyMismatch, InsufficientFunds.
    """
    if earlier := idempotency_claim(idempotency):
        return PostingResult(earlier, replayed=True)
    wallet, world = _lock_wallet_and_world(user=user, currency=amount.currency.code)
    posted = ledger_post(
        kind=TransactionKind.WITHDRAWAL, source=wallet, destination=world, amount=amount, initiator=user
    )
    idempotency_complete(idempotency, posted=posted)
    return PostingResult(posted, replayed=False)


@transaction.atomic(durable=True)
def transfer(
    *, sender, to_wallet_id: str, amount: Money, description: str = "", idempotency: IdempotencyRequest
) -> PostingResult:
    """Send money from the sender's wallet to another user's wallet.

    Raises IdempotencyRequestInProgress, IdempotencyKeyReused, WalletNotFound, SelfTransfer,
    NewRecipientDailyLimit, WalletFrozen, WalletClosed, CurrencyMismatch, InsufficientFunds.
    """
    if earlier := idempotency_claim(idempotency):
        return PostingResult(earlier, replayed=True)
    source, destination = wallets_lock_sender_and_recipient(sender=sender, recipient_public_id=to_wallet_id)
    if destination.owner_id == sender.pk:
        raise SelfTransfer()
    transfer_new_recipient_check(source=source, destination=destination, now=timezone.now())
    posted = ledger_post(
        kind=TransactionKind.TRANSFER,
        source=source,
        destination=destination,
        amount=amount,
        initiator=sender,
        description=description,
    )
    idempotency_complete(idempotency, posted=posted)
    return PostingResult(posted, replayed=False)

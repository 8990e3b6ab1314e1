from django.db.models import Q, QuerySet

from wallets.exceptions import WalletNotFound
from wallets.models import Wallet, WalletKind, WalletStatus


def wallet_qs_select_for_update() -> QuerySet[Wallet]:
    # order_by("pk") is not redundant: taking row locks in one global order prevents deadlocks
    # between two postings that touch the same wallets in opposite directions.
    return Wallet.objects.order_by("pk").select_for_update(of=("self",))


def _open_wallet_of(user) -> Q:
    return Q(owner=user, kind=WalletKind.USER) & ~Q(status=WalletStatus.CLOSED)


def _no_open_wallet() -> WalletNotFound:
    return WalletNotFound("You have no wallet yet: create one with POST /api/v1/wallet.")


def wallet_get_open_for_user(*, user) -> Wallet:
    """The caller's wallet that is not closed; raises WalletNotFound."""
    wallet = Wallet.objects.filter(_open_wallet_of(user)).first()
    if wallet is None:
        raise _no_open_wallet()
    return wallet


def wallet_get_recipient(*, public_id: str) -> Wallet:
    """A user wallet anyone signed in may pay, by its public id; raises WalletNotFound.

    System wallets are never addressable, and a closed wallet is gone for paying purposes.
    """
    wallet = (
        Wallet.objects.select_related("owner")
        .filter(public_id=public_id, kind=WalletKind.USER)
        .exclude(status=WalletStatus.CLOSED)
        .first()
    )
    if wallet is None:
        raise WalletNotFound()
    return wallet


def wallets_lock_sender_and_recipient(*, sender, recipient_public_id: str) -> tuple[Wallet, Wallet]:
    """Find and lock the sender's open wallet and the recipient's user wallet in one query.

    One statement instead of two lookups and a lock: this is the transfer's hot path. The rows are
    locked in primary-key order like every other posting's. The recipient may be the sender's own
    wallet (the caller refuses that). Raises WalletNotFound.
    """
    rows = list(
        wallet_qs_select_for_update()
        .select_related("owner")
        .filter(_open_wallet_of(sender) | Q(public_id=recipient_public_id, kind=WalletKind.USER))
    )
    source = next((w for w in rows if w.owner_id == sender.pk and w.status != WalletStatus.CLOSED), None)
    if source is None:
        raise _no_open_wallet()
    destination = next((w for w in rows if w.public_id == recipient_public_id), None)
    if destination is None:
        raise WalletNotFound(details={"wallet": recipient_public_id})  # system wallets are never addressable
    return source, destination


def wallets_lock_user_and_system(*, user, currency: str, purpose: str) -> tuple[Wallet, Wallet | None]:
    """Find and lock the user's open wallet and a system wallet of `currency` in one query.

    Deposits and withdrawals pair the user's wallet with @world; locked in primary-key order like
    every other posting. The system wallet is None before its currency's first use (the caller creates
    it). Raises WalletNotFound.
    """
    rows = list(
        wallet_qs_select_for_update()
        .select_related("owner")
        .filter(_open_wallet_of(user) | Q(kind=WalletKind.SYSTEM, currency=currency, system_purpose=purpose))
    )
    wallet = next((w for w in rows if w.kind == WalletKind.USER), None)
    if wallet is None:
        raise _no_open_wallet()
    return wallet, next((w for w in rows if w.kind == WalletKind.SYSTEM), None)


def wallet_frozen_count() -> int:
    return Wallet.objects.filter(kind=WalletKind.USER, status=WalletStatus.FROZEN).count()

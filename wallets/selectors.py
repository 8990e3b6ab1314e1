from django.db.models import QuerySet

from wallets.exceptions import WalletNotFound
from wallets.models import Wallet, WalletKind, WalletStatus


def wallet_qs_select_for_update() -> QuerySet[Wallet]:
    # order_by("pk") is not redundant: taking row locks in one global order prevents deadlocks
    # between two postings that touch the same wallets in opposite directions.
    return Wallet.objects.order_by("pk").select_for_update(of=("self",))


def wallet_get_open_for_user(*, user) -> Wallet:
    """The caller's wallet that is not closed; raises WalletNotFound."""
    wallet = Wallet.objects.filter(owner=user, kind=WalletKind.USER).exclude(status=WalletStatus.CLOSED).first()
    if wallet is None:
        raise WalletNotFound("You have no wallet yet: create one with POST /api/v1/wallet.")
    return wallet


def wallet_get_user_wallet_by_public_id(*, public_id: str) -> Wallet:
    """A user wallet by its public id (system wallets are never addressable); raises WalletNotFound."""
    wallet = Wallet.objects.filter(public_id=public_id, kind=WalletKind.USER).select_related("owner").first()
    if wallet is None:
        raise WalletNotFound(details={"wallet": public_id})
    return wallet


def wallet_frozen_count() -> int:
    return Wallet.objects.filter(kind=WalletKind.USER, status=WalletStatus.FROZEN).count()

from django.db.models import Count, Q, QuerySet

from wallets.exceptions import WalletNotFound
from wallets.models import Wallet, WalletKind, WalletStatus


def wallet_qs_select_for_update() -> QuerySet[Wallet]:
    # order_by("pk") is not redundant: taking row locks in one global order prevents deadlocks
    # between two postings that touch the same wallets in opposite directions.
    return Wallet.objects.order_by("pk").select_for_update(of=("self",))


def _open_wallet_of(user) -> Q:
    return Q(owner=user, kind=WalletKind.USER) & ~Q(status=WalletStatus.CLOSED)


def no_open_wallet() -> WalletNotFound:
    return WalletNotFound("You have no wallet yet: create one with POST /api/v1/wallet.")


def wallet_get_open_for_user(*, user) -> Wallet:
    """The caller's wallet that is not closed; raises WalletNotFound."""
    wallet = Wallet.objects.filter(_open_wallet_of(user)).first()
    if wallet is None:
        raise no_open_wallet()
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


def wallet_frozen_count() -> int:
    return Wallet.objects.filter(kind=WalletKind.USER, status=WalletStatus.FROZEN).count()


def wallets_lock(*wallets: Wallet) -> list[Wallet]:
    """Lock the wallets in ascending primary-key order; return fresh rows in the order given.

    For services that must read a balance before they decide what to post (a reversal's shortfall);
    the posting itself (wallet_move) locks the same rows again in the same order, which is a no-op.
    """
    rows = wallet_qs_select_for_update().select_related("owner").filter(pk__in=[w.pk for w in wallets])
    locked = {w.pk: w for w in rows}
    return [locked[w.pk] for w in wallets]


def wallet_counts() -> dict[str, int]:
    """User wallets in total and active ones, for the console dashboard (system wallets left out)."""
    return Wallet.objects.filter(kind=WalletKind.USER).aggregate(
        total=Count("pk"), active=Count("pk", filter=Q(status=WalletStatus.ACTIVE))
    )

from django.db import IntegrityError, transaction
from django.db.models import Case, When

from audit.models import AuditEventType
from audit.services import audit_record
from vaultpay.money import Currency
from wallets.exceptions import (
    WalletClosed,
    WalletExists,
    WalletFrozen,
    WalletFrozenByModerator,
    WalletNotEmpty,
    WalletNotFound,
    WalletNotFrozen,
    WalletStatusTransitionInvalid,
)
from wallets.limits import tier_rank
from wallets.models import (
    WALLET_STATUS_TRANSITIONS,
    LimitTier,
    SystemWalletPurpose,
    Wallet,
    WalletKind,
    WalletStatus,
    new_public_id,
)
from wallets.selectors import wallet_get_open_for_user, wallet_qs_select_for_update

_PUBLIC_ID_ATTEMPTS = 5


@transaction.atomic
def wallet_create(*, owner, currency: Currency) -> Wallet:
    """Open the user's wallet with a zero balance. Raises WalletExists."""
    if _has_open_wallet(owner):
        raise WalletExists()
    for _attempt in range(_PUBLIC_ID_ATTEMPTS):
        try:
            # The savepoint lets us retry the rare public-id collision without losing the outer work.
            with transaction.atomic():
                wallet = Wallet.objects.create(
                    owner=owner, currency=currency.code, public_id=new_public_id(), limit_tier=_inherited_tier(owner)
                )
            break
        except IntegrityError as exc:
            # Either a concurrent request opened the user's wallet, or the random id collided.
            if _has_open_wallet(owner):
                raise WalletExists() from exc
    else:  # pragma: no cover - 36**6 ids make five collisions in a row practically impossible
        raise RuntimeError("could not allocate a unique wallet id")
    audit_record(
        event_type=AuditEventType.WALLET_CREATED, actor=owner, target=wallet, new_values={"currency": currency.code}
    )
    return wallet


def _inherited_tier(owner) -> str:
    # A verified user who closes a wallet and opens another stays verified.
    earlier = Wallet.objects.filter(owner=owner, kind=WalletKind.USER).values_list("limit_tier", flat=True)
    return max(earlier, key=tier_rank, default=LimitTier.UNVERIFIED)


def _has_open_wallet(owner) -> bool:
    return Wallet.objects.filter(owner=owner, kind=WalletKind.USER).exclude(status=WalletStatus.CLOSED).exists()


_STATUS_EVENTS = {
    WalletStatus.ACTIVE: AuditEventType.WALLET_UNFROZEN,
    WalletStatus.FROZEN: AuditEventType.WALLET_FROZEN,
    WalletStatus.CLOSED: AuditEventType.WALLET_CLOSED,
}


@transaction.atomic
def wallet_close(*, owner) -> Wallet:
    """Close the caller's wallet. Raises WalletNotFound, WalletNotEmpty (money in it, or on hold)."""
    wallet = wallet_qs_select_for_update().get(pk=wallet_get_open_for_user(user=owner).pk)
    if wallet.balance != 0 or wallet.on_hold != 0:
        raise WalletNotEmpty(details={"balance_minor_units": wallet.balance, "on_hold_minor_units": wallet.on_hold})
    wallet_set_status(wallet=wallet, status=WalletStatus.CLOSED, actor=owner)
    return wallet


@transaction.atomic
def wallet_freeze(*, wallet_id: int, actor, reason: str = "") -> Wallet:
    """Stop a user wallet from sending or receiving (the console); the reason is kept on the wallet and
    audited. A wallet its owner froze is taken over: from then on only a moderator can lift the freeze.

    Raises WalletNotFound, WalletStatusTransitionInvalid.
    """
    wallet = _wallet_lock_user_wallet(wallet_id)
    if wallet.status == WalletStatus.FROZEN and wallet.frozen_by_owner:
        wallet.frozen_by_owner = False
        wallet.status_reason = reason.strip()
        wallet.save(update_fields=["frozen_by_owner", "status_reason", "updated_at"])
        audit_record(
            event_type=AuditEventType.WALLET_FROZEN,
            actor=actor,
            target=wallet,
            old_values={"frozen_by_owner": True},
            new_values={"frozen_by_owner": False, "reason": wallet.status_reason},
        )
        return wallet
    return wallet_set_status(wallet=wallet, status=WalletStatus.FROZEN, actor=actor, reason=reason)


@transaction.atomic
def wallet_unfreeze(*, wallet_id: int, actor, reason: str = "") -> Wallet:
    """Let a frozen wallet move money again (the console, any freeze). Raises WalletNotFound,
    WalletStatusTransitionInvalid."""
    return _wallet_change_status(wallet_id=wallet_id, status=WalletStatus.ACTIVE, actor=actor, reason=reason)


@transaction.atomic
def wallet_freeze_by_owner(*, owner) -> Wallet:
    """The owner freezes their own wallet (a lost phone): nothing moves until they lift it.

    Raises WalletNotFound, WalletFrozen (already frozen, by anyone), WalletStatusTransitionInvalid.
    """
    wallet = wallet_qs_select_for_update().get(pk=wallet_get_open_for_user(user=owner).pk)
    if wallet.status == WalletStatus.FROZEN:
        raise WalletFrozen(details={"wallet": wallet.public_id})
    wallet.frozen_by_owner = True
    return wallet_set_status(wallet=wallet, status=WalletStatus.FROZEN, actor=owner)


@transaction.atomic
def wallet_unfreeze_by_owner(*, owner) -> Wallet:
    """Lift a freeze the owner made themselves; the caller has already confirmed it is the owner.

    Raises WalletNotFound, WalletNotFrozen, WalletFrozenByModerator.
    """
    wallet = wallet_qs_select_for_update().get(pk=wallet_get_open_for_user(user=owner).pk)
    wallet_ensure_owner_may_unfreeze(wallet)
    return wallet_set_status(wallet=wallet, status=WalletStatus.ACTIVE, actor=owner)


def wallet_ensure_owner_may_unfreeze(wallet: Wallet) -> None:
    """Raise WalletNotFrozen or WalletFrozenByModerator unless the owner may lift this wallet's freeze."""
    if wallet.status != WalletStatus.FROZEN:
        raise WalletNotFrozen(details={"wallet": wallet.public_id})
    if not wallet.frozen_by_owner:
        raise WalletFrozenByModerator(details={"wallet": wallet.public_id})


@transaction.atomic
def wallet_admin_close(*, wallet_id: int, actor) -> Wallet:
    """Close a user wallet from the console; only when empty, so no money is stranded.

    Raises WalletNotEmpty, WalletStatusTransitionInvalid.
    """
    wallet = _wallet_lock_user_wallet(wallet_id)
    if wallet.balance != 0:
        raise WalletNotEmpty(details={"balance_minor_units": wallet.balance})
    return wallet_set_status(wallet=wallet, status=WalletStatus.CLOSED, actor=actor)


def _wallet_change_status(*, wallet_id: int, status: WalletStatus, actor, reason: str) -> Wallet:
    return wallet_set_status(wallet=_wallet_lock_user_wallet(wallet_id), status=status, actor=actor, reason=reason)


def _wallet_lock_user_wallet(wallet_id: int) -> Wallet:
    # System wallets carry the ledger's counterweights: their status never changes.
    wallet = wallet_qs_select_for_update().filter(pk=wallet_id, kind=WalletKind.USER).first()
    if wallet is None:
        raise WalletNotFound()
    return wallet


@transaction.atomic(savepoint=False)
def wallet_set_status(*, wallet: Wallet, status: WalletStatus, actor, reason: str = "") -> Wallet:
    """Move a locked wallet to `status` if WALLET_STATUS_TRANSITIONS allows it; audited with the reason."""
    old_status = wallet.status
    if status not in WALLET_STATUS_TRANSITIONS[old_status]:
        raise WalletStatusTransitionInvalid(details={"from": old_status, "to": status})
    wallet.status = status
    wallet.status_reason = reason.strip()
    if status != WalletStatus.FROZEN:
        wallet.frozen_by_owner = False
    wallet.save(update_fields=["status", "status_reason", "frozen_by_owner", "updated_at"])
    audit_record(
        event_type=_STATUS_EVENTS[status],
        actor=actor,
        target=wallet,
        old_values={"status": old_status},
        new_values={"status": status, "reason": wallet.status_reason, "frozen_by_owner": wallet.frozen_by_owner},
    )
    return wallet


@transaction.atomic
def wallet_set_limit_tier(*, owner, tier: LimitTier, actor) -> Wallet | None:
    """Move the owner's current wallet to `tier` (audited); None when the owner has no wallet.

    The current wallet is the open one, else the most recently closed one, so a later wallet
    inherits the tier (wallet_create).
    """
    wallet = (
        wallet_qs_select_for_update()
        .filter(owner=owner, kind=WalletKind.USER)
        .order_by(Case(When(status=WalletStatus.CLOSED, then=1), default=0), "-pk")
        .first()
    )
    if wallet is None or wallet.limit_tier == tier:
        return wallet
    old_tier = wallet.limit_tier
    wallet.limit_tier = tier
    wallet.save(update_fields=["limit_tier", "updated_at"])
    audit_record(
        event_type=AuditEventType.WALLET_LIMIT_TIER_CHANGED,
        actor=actor,
        target=wallet,
        old_values={"limit_tier": old_tier},
        new_values={"limit_tier": tier},
    )
    return wallet


def wallet_ensure_can_move_money(wallet: Wallet) -> None:
    """Raise WalletFrozen or WalletClosed unless the (locked) wallet is active."""
    if wallet.status == WalletStatus.FROZEN:
        raise WalletFrozen(details={"wallet": wallet.public_id})
    if wallet.status == WalletStatus.CLOSED:
        raise WalletClosed(details={"wallet": wallet.public_id})


def wallet_system_get(*, currency: str, purpose: SystemWalletPurpose) -> Wallet:
    """The system wallet for a currency and purpose, created on first use (idempotent, race-safe)."""
    try:
        return Wallet.objects.get(kind=WalletKind.SYSTEM, currency=currency, system_purpose=purpose)
    except Wallet.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            return Wallet.objects.create(kind=WalletKind.SYSTEM, currency=currency, system_purpose=purpose)
    except IntegrityError:
        return Wallet.objects.get(kind=WalletKind.SYSTEM, currency=currency, system_purpose=purpose)

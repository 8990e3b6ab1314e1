"""Per-wallet spending-limit overrides, set by admins in the console with a reason and an optional expiry.

An override replaces the tier's daily and/or monthly limit for one wallet. It lives on the wallet row,
so the limit check reads it from the row it has already locked: `wallet_limit_override_for` costs no
query. A period left empty keeps the tier's limit; an override past its expiry counts as none.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from audit.models import AuditEventType
from audit.services import audit_record
from vaultpay.errors import ValidationFailed
from vaultpay.money import format_minor
from wallets.exceptions import LimitOverrideForbidden, WalletNotFound
from wallets.limits import TierLimits, tier_limits
from wallets.models import Wallet, WalletKind
from wallets.selectors import wallet_qs_select_for_update

OVERRIDE_PERMISSION = "wallets.override_wallet_limits"
_OVERRIDE_FIELDS = ["limit_override_daily", "limit_override_monthly", "limit_override_expires_at"]


def wallet_limit_override_for(wallet: Wallet, now: datetime | None = None) -> TierLimits | None:
    """The limits that hold for `wallet` instead of its tier's, or None when no override is in force.

    Reads only the wallet's own fields. A period the override leaves empty keeps the tier's limit.
    """
    if wallet.limit_override_daily is None and wallet.limit_override_monthly is None:
        return None
    expires_at = wallet.limit_override_expires_at
    if expires_at is not None and expires_at <= (now or timezone.now()):
        return None
    tier = tier_limits(tier=wallet.limit_tier, currency=wallet.currency)
    return TierLimits(
        daily=tier.daily if wallet.limit_override_daily is None else wallet.limit_override_daily,
        monthly=tier.monthly if wallet.limit_override_monthly is None else wallet.limit_override_monthly,
    )


def _override_values(wallet: Wallet) -> dict:
    def major(minor: int | None) -> str | None:
        return None if minor is None else format_minor(minor, wallet.currency)

    expires_at = wallet.limit_override_expires_at
    return {
        "daily": major(wallet.limit_override_daily),
        "monthly": major(wallet.limit_override_monthly),
        "expires_at": expires_at.isoformat() if expires_at else None,
        "reason": wallet.limit_override_reason,
    }


def _lock_user_wallet(wallet_id: int) -> Wallet:
    wallet = wallet_qs_select_for_update().filter(pk=wallet_id, kind=WalletKind.USER).first()
    if wallet is None:
        raise WalletNotFound()
    return wallet


def _require_override_permission(actor) -> None:
    if not (actor.is_active and actor.has_perm(OVERRIDE_PERMISSION)):
        raise LimitOverrideForbidden(details={"permission": OVERRIDE_PERMISSION})


@transaction.atomic
def wallet_limit_override_set(
    *,
    wallet_id: int,
    actor,
    daily_minor: int | None,
    monthly_minor: int | None,
    reason: str,
    expires_at: datetime | None = None,
) -> Wallet:
    """Override one wallet's daily and/or monthly limit (minor units), audited with the reason.

    Raises LimitOverrideForbidden, ValidationFailed (no reason, nothing to override, an expiry in the
    past), WalletNotFound (no such user wallet).
    """
    _require_override_permission(actor)
    problems = {}
    if not reason.strip():
        problems["reason"] = ["Say why this wallet gets other limits."]
    if daily_minor is None and monthly_minor is None:
        problems["daily"] = ["Give a daily or a monthly limit (or both)."]
    if expires_at is not None and expires_at <= timezone.now():
        problems["expires_at"] = ["The expiry must be in the future."]
    if problems:
        raise ValidationFailed("The override is incomplete.", details={"fields": problems})
    wallet = _lock_user_wallet(wallet_id)
    old_values = _override_values(wallet)
    wallet.limit_override_daily, wallet.limit_override_monthly = daily_minor, monthly_minor
    wallet.limit_override_expires_at, wallet.limit_override_reason = expires_at, reason.strip()
    wallet.save(update_fields=[*_OVERRIDE_FIELDS, "limit_override_reason", "updated_at"])
    audit_record(
        event_type=AuditEventType.WALLET_LIMIT_OVERRIDDEN,
        actor=actor,
        target=wallet,
        old_values=old_values,
        new_values=_override_values(wallet),
    )
    return wallet


@transaction.atomic
def wallet_limit_override_clear(*, wallet_id: int, actor, reason: str) -> Wallet:
    """Return a wallet to its tier's limits, audited. Raises LimitOverrideForbidden, WalletNotFound."""
    _require_override_permission(actor)
    wallet = _lock_user_wallet(wallet_id)
    old_values = _override_values(wallet)
    wallet.limit_override_daily = wallet.limit_override_monthly = wallet.limit_override_expires_at = None
    wallet.limit_override_reason = ""
    wallet.save(update_fields=[*_OVERRIDE_FIELDS, "limit_override_reason", "updated_at"])
    audit_record(
        event_type=AuditEventType.WALLET_LIMIT_OVERRIDE_CLEARED,
        actor=actor,
        target=wallet,
        old_values=old_values,
        new_values={"reason": reason.strip()},
    )
    return wallet

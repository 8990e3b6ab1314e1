"""Personal spending limits: an owner lowers their wallet's daily or monthly limit below the tier's.

Lowering takes effect at once. Raising a personal limit, or removing it (back to the tier's), takes
effect only after PERSONAL_LIMIT_COOLING_OFF, so a stolen session cannot lift the cap and empty the
wallet the same day. wallet_move() (wallets/sql/wallet_move.sql) reads the limit in force on the
locked wallet's row set; this module writes the rows and answers what is in force and what is pending.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from audit.models import AuditEventType
from audit.services import audit_record
from vaultpay.money import Money, format_minor
from wallets.exceptions import LimitAboveTier
from wallets.limits import TierLimits
from wallets.models import PersonalLimit, Wallet
from wallets.selectors import wallet_get_open_for_user, wallet_qs_select_for_update

PERSONAL_LIMIT_COOLING_OFF = timedelta(hours=24)


@dataclass(frozen=True)
class PersonalLimitState:
    in_force: int | None  # minor units; None: the tier's limit holds
    pending: PersonalLimit | None  # a later row not in force yet


def personal_limit_state(*, wallet: Wallet, period: str, now: datetime | None = None) -> PersonalLimitState:
    now = now or timezone.now()
    rows = PersonalLimit.objects.filter(wallet=wallet, period=period).order_by("-effective_at", "-id")
    in_force = rows.filter(effective_at__lte=now).values_list("amount", flat=True).first()
    pending = rows.filter(effective_at__gt=now).first()
    return PersonalLimitState(in_force=in_force, pending=pending)


@transaction.atomic
def personal_limit_set(*, owner, period: str, amount: Money | None, ceiling: TierLimits) -> PersonalLimit:
    """Set (or with `amount` None, remove) the owner's own limit for `period`; audited.

    A lower limit than the one in force applies at once; anything higher waits out the cooling-off.
    Raises WalletNotFound, LimitAboveTier.
    """
    wallet = wallet_qs_select_for_update().get(pk=wallet_get_open_for_user(user=owner).pk)
    tier = getattr(ceiling, period)
    minor = None if amount is None else amount.minor_units
    if minor is not None and minor > tier:
        raise LimitAboveTier(details={"period": period, "tier_limit": format_minor(tier, wallet.currency)})
    now = timezone.now()
    current = personal_limit_state(wallet=wallet, period=period, now=now).in_force
    in_force = tier if current is None else min(current, tier)
    lowering = minor is not None and minor <= in_force
    # A change still waiting out its cooling-off is replaced by this one (it never took effect).
    PersonalLimit.objects.filter(wallet=wallet, period=period, effective_at__gt=now).delete()
    row = PersonalLimit.objects.create(
        wallet=wallet, period=period, amount=minor, effective_at=now if lowering else now + PERSONAL_LIMIT_COOLING_OFF
    )
    audit_record(
        event_type=AuditEventType.WALLET_PERSONAL_LIMIT_SET,
        actor=owner,
        target=wallet,
        old_values={"period": period, "limit": None if current is None else format_minor(current, wallet.currency)},
        new_values={
            "period": period,
            "limit": None if minor is None else format_minor(minor, wallet.currency),
            "effective_at": row.effective_at.isoformat(),
        },
    )
    return row

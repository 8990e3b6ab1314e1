"""Spending limits: the tier table from settings and the rule that refuses a payment above it.

The amounts live in settings.WALLET_LIMIT_TIERS (super admins may replace them in the console,
vaultpay.console_settings), per tier and per currency, in major units. Usage
is the wallet's own spent counters, which ledger.limits checks and advances under the wallet lock.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from vaultpay.console_settings import limit_tiers
from vaultpay.money import CURRENCIES, format_minor, parse_amount
from wallets.exceptions import LimitExceeded
from wallets.models import LimitTier, Wallet

LIMIT_PERIODS = ("daily", "monthly")


@dataclass(frozen=True)
class TierLimits:
    daily: int  # minor units
    monthly: int


@dataclass(frozen=True)
class LimitUsage:
    daily: int  # minor units sent since 00:00 UTC today
    monthly: int  # since 00:00 UTC on the first of this month


# The Wallet fields an outgoing posting advances (saved with the balance, in the same UPDATE).
SPENT_FIELDS = ("spent_day", "spent_day_total", "spent_month", "spent_month_total")


def spending_periods(now: datetime) -> tuple[date, date]:
    """The UTC day and the first day of the UTC month that `now` falls in."""
    day = now.astimezone(UTC).date()
    return day, day.replace(day=1)


def wallet_spent(wallet: Wallet, now: datetime) -> LimitUsage:
    """What the wallet has sent in the day and month of `now`, from its counters."""
    day, month = spending_periods(now)
    return LimitUsage(
        daily=wallet.spent_day_total if wallet.spent_day == day else 0,
        monthly=wallet.spent_month_total if wallet.spent_month == month else 0,
    )


def wallet_spend(wallet: Wallet, *, amount_minor: int, now: datetime) -> None:
    """Count an outgoing payment in the wallet's day and month; the caller saves SPENT_FIELDS."""
    used = wallet_spent(wallet, now)
    wallet.spent_day, wallet.spent_month = spending_periods(now)
    wallet.spent_day_total = used.daily + amount_minor
    wallet.spent_month_total = used.monthly + amount_minor


def tier_limits(*, tier: str, currency: str) -> TierLimits:
    """The tier's limits in minor units of `currency`; KeyError if settings lack them (see wallets.checks)."""
    row = limit_tiers()[tier][currency]  # the console's table, or settings.WALLET_LIMIT_TIERS
    return TierLimits(**{period: parse_amount(row[period], CURRENCIES[currency]) for period in LIMIT_PERIODS})


def limits_enforce(*, wallet: Wallet, amount_minor: int, used: LimitUsage) -> None:
    """Raise LimitExceeded if sending `amount_minor` more would pass the daily or monthly limit."""
    limits = tier_limits(tier=wallet.limit_tier, currency=wallet.currency)
    for period in LIMIT_PERIODS:
        limit, spent = getattr(limits, period), getattr(used, period)
        if spent + amount_minor > limit:
            raise LimitExceeded(
                f"This payment would exceed the wallet's {period} spending limit.",
                details={
                    "period": period,
                    "tier": wallet.limit_tier,
                    "currency": wallet.currency,
                    "limit": format_minor(limit, wallet.currency),
                    "used": format_minor(spent, wallet.currency),
                    "remaining": format_minor(max(limit - spent, 0), wallet.currency),
                    "requested": format_minor(amount_minor, wallet.currency),
                },
            )


def limits_summary(*, wallet: Wallet, used: LimitUsage) -> dict:
    """What GET /api/v1/wallet/limits returns: tier, and per period the limit, used and remaining."""
    limits = tier_limits(tier=wallet.limit_tier, currency=wallet.currency)
    summary = {"tier": wallet.limit_tier, "currency": wallet.currency}
    for period in LIMIT_PERIODS:
        limit, spent = getattr(limits, period), getattr(used, period)
        summary[period] = {
            "limit": format_minor(limit, wallet.currency),
            "used": format_minor(spent, wallet.currency),
            "remaining": format_minor(max(limit - spent, 0), wallet.currency),
        }
    return summary


def tier_rank(tier: str) -> int:
    """Higher is more trusted; a new wallet inherits the best tier its owner has reached."""
    return list(LimitTier.values).index(tier)

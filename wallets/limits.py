"""Spending limits: the tier table from settings, and what an owner has used of it.

The amounts live in settings.WALLET_LIMIT_TIERS, per tier and per currency, in major units. Usage
is counted per owner and currency (WalletUsage); wallet_move() (wallets/sql/wallet_move.sql)
checks and advances it under the sending wallet's lock, with the limits this module hands it.
"""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache

from django.conf import settings

from vaultpay.money import CURRENCIES, format_minor, parse_amount
from wallets.models import LimitTier, Wallet, WalletUsage

LIMIT_PERIODS = ("daily", "monthly")


@dataclass(frozen=True)
class TierLimits:
    daily: int  # minor units
    monthly: int


@dataclass(frozen=True)
class LimitUsage:
    daily: int  # minor units sent since 00:00 UTC today
    monthly: int  # since 00:00 UTC on the first of this month


def spending_periods(now: datetime) -> tuple[date, date]:
    """The UTC day and the first day of the UTC month that `now` falls in."""
    day = now.astimezone(UTC).date()
    return day, day.replace(day=1)


def wallet_usage(*, owner_id: int, currency: str, now: datetime) -> LimitUsage:
    """What the owner has sent in `currency` in the day and month of `now`, from their usage counters."""
    return usage_in_periods(WalletUsage.objects.filter(owner_id=owner_id, currency=currency).first(), now)


def usage_in_periods(usage: WalletUsage | None, now: datetime) -> LimitUsage:
    """A usage row read as what was sent in the day and month of `now` (an older period counts as 0)."""
    if usage is None:
        return LimitUsage(daily=0, monthly=0)
    day, month = spending_periods(now)
    return LimitUsage(
        daily=usage.day_total if usage.day == day else 0,
        monthly=usage.month_total if usage.month == month else 0,
    )


def tier_limits(*, tier: str, currency: str) -> TierLimits:
    """The tier's limits in minor units of `currency`; KeyError if settings lack them (see wallets.checks)."""
    row = settings.WALLET_LIMIT_TIERS[tier][currency]
    return TierLimits(**{period: parse_amount(row[period], CURRENCIES[currency]) for period in LIMIT_PERIODS})


@lru_cache(maxsize=64)
def _tier_limits_json(currency: str, tiers_id: int) -> str:
    limits = {tier: tier_limits(tier=tier, currency=currency) for tier in LimitTier.values}
    return json.dumps({tier: [each.daily, each.monthly] for tier, each in limits.items()})


def tier_limits_for_posting(*, currency: str) -> str:
    """Every tier's [daily, monthly] limit in minor units of `currency`, as wallet_move() reads them (JSON).

    Computed once per currency and tier table (tests swap the table: its identity is in the key).
    """
    return _tier_limits_json(currency, id(settings.WALLET_LIMIT_TIERS))


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

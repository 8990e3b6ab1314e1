"""Spending limits: the tier table from settings, and what an owner has used of it.

The amounts live in settings.WALLET_LIMIT_TIERS (super admins may replace them in the console,
vaultpay.console_settings), per tier and per currency, in major units. Usage is counted per owner
and currency (WalletUsage); wallet_move() (wallets/sql/wallet_move.sql) checks and advances it under
the sending wallet's lock, with the limits this module hands it.
"""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache

from vaultpay.console_settings import limit_tiers
from vaultpay.money import CURRENCIES, WALLET_BALANCE_CAP, format_minor, parse_amount
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
    row = limit_tiers()[tier][currency]  # the console's table, or settings.WALLET_LIMIT_TIERS
    return TierLimits(**{period: parse_amount(row[period], CURRENCIES[currency]) for period in LIMIT_PERIODS})


@lru_cache(maxsize=64)
def _tier_limits_json(currency: str, rows: str) -> str:
    table = json.loads(rows)
    limits = {
        tier: TierLimits(**{p: parse_amount(table[tier][p], CURRENCIES[currency]) for p in LIMIT_PERIODS})
        for tier in LimitTier.values
    }
    rows = {tier: [each.daily, each.monthly] for tier, each in limits.items()}
    return json.dumps(rows | {"balance_cap": WALLET_BALANCE_CAP})


def tier_limits_for_posting(*, currency: str) -> str:
    """Every tier's [daily, monthly] limit in minor units of `currency`, and the most a wallet may hold,
    as wallet_move() reads them (JSON).

    Parsed once per currency and table content: the console may replace the table at any time.
    """
    table = limit_tiers()
    rows = json.dumps({tier: table[tier][currency] for tier in LimitTier.values}, sort_keys=True)
    return _tier_limits_json(currency, rows)


def limits_summary(*, wallet: Wallet, ceiling: TierLimits, personal: dict, used: LimitUsage) -> dict:
    """What GET /api/v1/wallet/limits returns: tier, and per period the limit in force (the tier's, or an
    admin's override, lowered by the owner's own), used, remaining, and a pending change of the owner's.

    `personal` maps each period to its wallets.personal_limits.PersonalLimitState.
    """
    code = wallet.currency
    summary = {"tier": wallet.limit_tier, "currency": code}
    for period in LIMIT_PERIODS:
        top, spent, own = getattr(ceiling, period), getattr(used, period), personal[period]
        limit = top if own.in_force is None else min(own.in_force, top)
        pending = own.pending
        summary[period] = {
            "limit": format_minor(limit, code),
            "used": format_minor(spent, code),
            "remaining": format_minor(max(limit - spent, 0), code),
            "tier_limit": format_minor(top, code),
            "personal_limit": None if own.in_force is None else format_minor(own.in_force, code),
            "pending": None
            if pending is None
            else {
                "limit": None if pending.amount is None else format_minor(pending.amount, code),
                "effective_at": pending.effective_at,
            },
        }
    return summary


def tier_rank(tier: str) -> int:
    """Higher is more trusted; a new wallet inherits the best tier its owner has reached."""
    return list(LimitTier.values).index(tier)

"""Settings super admins tune in the console (django-constance), with the environment's as defaults.

Each tunable is stored by django-constance in the database. Left empty (the default), the value of
the same name in Django settings, read from the environment, holds. A stored value is validated by
its form field before it is saved, and every change is audited (vaultpay.admin).

Readers call the accessors below, never `constance.config` directly: each process keeps the stored
values for CACHE_SECONDS, so a money request reads them from memory, not from the database, and a
change reaches every process within that time.
"""

import threading
import time
from decimal import Decimal

from django import forms
from django.conf import settings

from vaultpay.money import CURRENCIES, parse_amount

CACHE_SECONDS = 10
LIMIT_PERIODS = ("daily", "monthly")
_cache: dict[str, tuple[float, object]] = {}
_lock = threading.Lock()


def _stored(name: str):
    """The console's value for `name` (None when empty), at most CACHE_SECONDS old."""
    now = time.monotonic()
    hit = _cache.get(name)
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    from constance import config

    value = getattr(config, name)
    value = value if value not in (None, "", 0, {}) else None
    with _lock:
        _cache[name] = (now, value)
    return value


def console_settings_forget() -> None:
    """Drop this process's copies (after a change in the console, and between tests)."""
    with _lock:
        _cache.clear()


def limit_tiers() -> dict:
    """The spending-limit table: tier -> currency -> {"daily", "monthly"} in major units (strings)."""
    return _stored("WALLET_LIMIT_TIERS") or settings.WALLET_LIMIT_TIERS


def dispute_window_days() -> int:
    """How many days after a transaction a party may still dispute it."""
    return _stored("DISPUTE_WINDOW_DAYS") or settings.DISPUTE_WINDOW_DAYS


def dispute_review_days() -> int:
    """How many days moderators have to decide a dispute."""
    return _stored("DISPUTE_REVIEW_DAYS") or settings.DISPUTE_REVIEW_DAYS


def step_up_above() -> dict:
    """Per currency, the amount (major units) above which a payment needs a two-factor step-up."""
    return _stored("STEP_UP_ABOVE") or settings.STEP_UP_ABOVE


def _amount(raw: object, currency: str, where: str) -> Decimal:
    try:
        minor = parse_amount(raw if isinstance(raw, str) else "", CURRENCIES[currency])
    except Exception as exc:  # every amount error of vaultpay.money reads the same to an admin
        raise forms.ValidationError(f"{where}: {raw!r} is not a positive amount in {currency}.") from exc
    return Decimal(minor)


class LimitTiersField(forms.JSONField):
    """The whole tier table as JSON: every tier, every supported currency, daily not above monthly."""

    def validate(self, value) -> None:
        super().validate(value)
        if value in (None, {}):
            return  # empty: the environment's table holds
        from wallets.models import LimitTier

        if not isinstance(value, dict) or set(value) != set(LimitTier.values):
            raise forms.ValidationError(f"Give exactly the tiers {sorted(LimitTier.values)}.")
        for tier, per_currency in value.items():
            if not isinstance(per_currency, dict) or set(per_currency) != set(CURRENCIES):
                raise forms.ValidationError(f"{tier}: give every currency {sorted(CURRENCIES)}.")
            for currency, row in per_currency.items():
                if not isinstance(row, dict) or set(row) != set(LIMIT_PERIODS):
                    raise forms.ValidationError(f"{tier}.{currency}: give daily and monthly.")
                daily, monthly = (_amount(row[p], currency, f"{tier}.{currency}.{p}") for p in LIMIT_PERIODS)
                if daily > monthly:
                    raise forms.ValidationError(f"{tier}.{currency}: the daily limit is above the monthly one.")


class StepUpAboveField(forms.JSONField):
    """Per currency, a positive amount as a decimal string: {"USD": "1000.00", ...}."""

    def validate(self, value) -> None:
        super().validate(value)
        if value in (None, {}):
            return
        if not isinstance(value, dict) or not set(value) <= set(CURRENCIES):
            raise forms.ValidationError(f"Give amounts by currency code, of {sorted(CURRENCIES)}.")
        for currency, raw in value.items():
            _amount(raw, currency, currency)

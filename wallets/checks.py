"""Startup check: every tier has daily and monthly limits for every supported currency."""

from django.conf import settings
from django.core import checks

from vaultpay.errors import VaultPayError
from vaultpay.money import CURRENCIES, parse_amount
from wallets.limits import LIMIT_PERIODS
from wallets.models import LimitTier


@checks.register()
def check_limit_tiers(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    table = getattr(settings, "WALLET_LIMIT_TIERS", {})
    errors = []
    for tier in LimitTier.values:
        for code, currency in CURRENCIES.items():
            row = table.get(tier, {}).get(code, {})
            for period in LIMIT_PERIODS:
                try:
                    parse_amount(row[period], currency)
                except (KeyError, TypeError, VaultPayError):
                    errors.append(
                        checks.Error(
                            f"WALLET_LIMIT_TIERS[{tier!r}][{code!r}][{period!r}] is missing or not a positive amount.",
                            id="wallets.E001",
                        )
                    )
    return errors

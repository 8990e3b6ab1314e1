"""Settings for benchmark runs: production settings, with rate limits off unless asked for.

A load test sends hundreds of requests per second from a handful of users; django-ratelimit
would (rightly) turn most of them into 429s and the run would measure the limiter, not the ledger.
Set RATELIMIT_ENABLE=true to measure with the limits in place.

Spending limits stay on, with every tier's amounts ×1,000: bench wallets are in the verified tier
(bench/seed.py), so each transfer still checks the wallet's day and month counters, but a run that
sends thousands of transfers from one wallet is never refused for it. (×1,000,000 would put the NGN
and INR limits above the largest amount VaultPay parses, and wallets.checks would refuse to start.)
The cap on payments to a recipient never paid before is lifted the same way: a load test pays the
same few recipients thousands of times on its first day.
This module must not import VaultPay code: rest_framework would read its settings before these exist.
"""

from decimal import Decimal

from vaultpay.settings import *  # noqa: F403
from vaultpay.settings import WALLET_LIMIT_TIERS as _PRODUCTION_LIMIT_TIERS
from vaultpay.settings import env

RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=False)

BENCH_LIMIT_FACTOR = 1_000

WALLET_LIMIT_TIERS = {
    tier: {
        code: {period: str(Decimal(amount) * BENCH_LIMIT_FACTOR) for period, amount in row.items()}
        for code, row in table.items()
    }
    for tier, table in _PRODUCTION_LIMIT_TIERS.items()
}

TRANSFER_NEW_RECIPIENT_DAILY_MAX = 1_000_000_000

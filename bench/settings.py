"""Settings for benchmark runs: production settings, with rate limits off unless asked for.

A load test sends hundreds of requests per second from a handful of users; django-ratelimit
would (rightly) turn most of them into 429s and the run would measure the limiter, not the ledger.
Set RATELIMIT_ENABLE=true to measure with the limits in place.
"""

from vaultpay.settings import *  # noqa: F403
from vaultpay.settings import env

RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=False)

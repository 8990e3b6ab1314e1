"""Idempotency of money requests, kept in the database beside the posting it protects.

The record is written in the posting's own DB transaction (ledger_money_request() in
ledger/sql/posting.sql), so a crash or a cache restart can never let a retry pay twice. While a
request holds its key, a transaction-level advisory lock on the key's id marks it in flight: a
concurrent duplicate gets 409 at once instead of waiting. Only requests with the same user and key
share that lock. This module validates the key and fingerprints the request.
"""

import hashlib
import json
import re
from dataclasses import dataclass

from django.utils import timezone

from ledger.exceptions import IdempotencyKeyRequired
from ledger.models import IdempotencyRecord

IDEMPOTENCY_HEADERS = ("Idempotency-Key", "X-Idempotency-Key")
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


@dataclass(frozen=True)
class IdempotencyRequest:
    user: object
    key: str
    fingerprint: str


def idempotency_request_build(*, user, key: str | None, operation: str, payload: dict) -> IdempotencyRequest:
    """Validate the client's key and fingerprint the request. Raises IdempotencyKeyRequired."""
    if not key or not _VALID_KEY.match(key):
        raise IdempotencyKeyRequired()
    canonical = json.dumps({"operation": operation, "payload": payload}, sort_keys=True, separators=(",", ":"))
    return IdempotencyRequest(user=user, key=key, fingerprint=hashlib.sha256(canonical.encode()).hexdigest())


def idempotency_key_of(request) -> str | None:
    """The key an HTTP request sent, under either header name."""
    return next((request.headers[h] for h in IDEMPOTENCY_HEADERS if h in request.headers), None)


def idempotency_lock_id(request: IdempotencyRequest) -> int:
    """The advisory lock id of (user, key): 64 bits of its SHA-256."""
    digest = hashlib.sha256(f"idempotency:{request.user.pk}:{request.key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def idempotency_purge_expired() -> int:
    """Delete records past their time to live; returns how many went."""
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted

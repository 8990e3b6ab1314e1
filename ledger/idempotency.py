"""Idempotency of money requests, kept in the database beside the posting it protects.

The record is written in the posting's own DB transaction, so a crash or a cache restart can never
let a retry pay twice. While a request holds its key, a PostgreSQL advisory transaction lock marks
it in flight: a concurrent duplicate gets 409 at once instead of waiting.
"""

import hashlib
import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ledger.exceptions import IdempotencyKeyRequired, IdempotencyKeyReused, IdempotencyRequestInProgress
from ledger.models import IdempotencyRecord, Transaction

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


def _advisory_lock_id(request: IdempotencyRequest) -> int:
    digest = hashlib.sha256(f"idempotency:{request.user.pk}:{request.key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@transaction.atomic(savepoint=False)
def idempotency_claim(request: IdempotencyRequest) -> Transaction | None:
    """Hold the key for this DB transaction; return the earlier transaction if this is a replay.

    Raises IdempotencyRequestInProgress (same key in flight) and IdempotencyKeyReused (same key,
    different request).
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_advisory_lock_id(request)])
        if not cursor.fetchone()[0]:
            raise IdempotencyRequestInProgress()
    # No join to the transaction: nearly every claim finds nothing, and a replay loads it by key below.
    record = IdempotencyRecord.objects.filter(user=request.user, key=request.key).first()
    if record is None:
        return None
    if record.expires_at <= timezone.now():
        record.delete()  # expired but not yet purged: the key is free again
        return None
    if record.fingerprint != request.fingerprint:
        raise IdempotencyKeyReused()
    return record.transaction


@transaction.atomic(savepoint=False)
def idempotency_complete(request: IdempotencyRequest, *, posted: Transaction, response_status: int = 201) -> None:
    IdempotencyRecord.objects.create(
        user=request.user,
        key=request.key,
        fingerprint=request.fingerprint,
        transaction=posted,
        response_status=response_status,
        expires_at=timezone.now() + settings.IDEMPOTENCY_TTL,
    )


def idempotency_purge_expired() -> int:
    """Delete records past their time to live; returns how many went."""
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted

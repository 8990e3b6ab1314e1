"""Fast, ledger-correct seeding: users, wallets, funding and bulk postings for benchmarks.

Users and wallets go in with bulk_create (one Argon2 hash computed once and shared). Money goes
in as real ledger transactions written with PostgreSQL COPY: each posting is a Transaction plus a
balanced debit and credit Entry carrying the running balance_after, and the cached wallet balances
are updated to match in the same database transaction, so `manage.py reconcile` stays clean and
the deferred balance trigger checks every transaction at commit.

COPY bypasses the services, so seeded postings write no audit event and dispatch no receipt (they
write no outbox row); the audit chain is unaffected (`manage.py verify_audit` walks only the events that exist). What
the money path checks before a transfer is seeded through the same rules the services use:
`users_prepare` sets the transaction PIN (through the PIN service, strength check included), trusts
the load driver's address the way a signup does (KnownIp keyed by accounts.client_ip.ip_hash), and
moves the wallets to the verified limit tier (bench/settings.py raises every limit ×1,000 so the
check runs on every transfer but never refuses one).
"""

import importlib
import random
import secrets
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta

BENCH_PIN = "246810"  # passes accounts.pin.pin_validate_new (not repeated, not a run, not a common PIN)
# Every request the load driver sends comes from here; money moves only from a trusted address.
BENCH_CLIENT_IP = "127.0.0.1"
BENCH_LIMIT_TIER = "verified"
_PIN_SERVICE_CANDIDATES = ("accounts.services:pin_set", "accounts.services:user_pin_set", "accounts.pin:pin_set")


@dataclass(frozen=True)
class BenchUser:
    user_id: int
    wallet_id: int
    public_id: str
    token: str


@dataclass(frozen=True)
class Posting:
    source_id: int
    destination_id: int
    amount: int
    kind: str = "transfer"
    description: str = ""


def users_create(*, count: int, prefix: str, currency: str = "USD") -> list[BenchUser]:
    """Create `count` users, each with an open wallet, and an access token for each."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import User
    from accounts.services.sessions import access_token_for
    from wallets.models import Wallet, new_public_id

    password = make_password(secrets.token_urlsafe(16))
    users = User.objects.bulk_create(
        User(
            email=f"{prefix}-{i}@bench.vaultpay.test",
            first_name="Bench",
            last_name=f"{i}",
            password=password,
            email_verified_at=timezone.now(),  # as a signup's emailed code would have done
        )
        for i in range(count)
    )
    public_ids: set[str] = set()
    while len(public_ids) < count:
        public_ids.add(new_public_id())
    taken = set(Wallet.objects.filter(public_id__in=public_ids).values_list("public_id", flat=True))
    public_ids -= taken
    while len(public_ids) < count:
        public_ids.add(new_public_id())
    pairs = zip(users, sorted(public_ids), strict=True)
    wallets = Wallet.objects.bulk_create(Wallet(owner=u, currency=currency, public_id=p) for u, p in pairs)
    return [
        BenchUser(user_id=u.pk, wallet_id=w.pk, public_id=w.public_id, token=access_token_for(u))
        for u, w in zip(users, wallets, strict=True)
    ]


def _resolve(dotted: str):
    module_name, _, attribute = dotted.partition(":")
    try:
        return getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError):
        return None


def pins_set(users: list[BenchUser], *, setter: str | None = None) -> str:
    """Give every bench user the transaction PIN BENCH_PIN through the accounts PIN service, if there is one."""
    from accounts.models import User

    candidates = (setter,) if setter else _PIN_SERVICE_CANDIDATES
    service = next((fn for fn in map(_resolve, candidates) if fn is not None), None)
    if service is None:
        return f"no PIN service found ({', '.join(candidates)}): requests carry a pin the server ignores"
    from accounts.pin import pin_validate_new

    pin_validate_new(BENCH_PIN)  # raises PinTooWeak / PinFormatInvalid: a refused PIN must stop the run
    for user in User.objects.filter(pk__in=[u.user_id for u in users]):
        service(user=user, pin=BENCH_PIN)
    return f"PIN set through {service.__module__}.{service.__name__}"


def ips_trust(users: list[BenchUser], *, ip: str = BENCH_CLIENT_IP) -> str:
    """Trust `ip` for every bench user in one bulk insert, as a signup from it would.

    The row is what accounts.services.ip_trust.ip_trust_check reads: KnownIp(user, ip_hash(ip),
    status=trusted), hashed with the same keyed hash (IP_HASH_KEY, shared with gunicorn through the
    environment), so each transfer still pays for the check.
    """
    from django.utils import timezone

    from accounts.client_ip import ip_hash
    from accounts.models import KnownIp, KnownIpStatus

    now, hashed = timezone.now(), ip_hash(ip)
    KnownIp.objects.bulk_create(
        (
            KnownIp(user_id=u.user_id, ip_hash=hashed, status=KnownIpStatus.TRUSTED, first_seen=now, last_seen=now,
                    confirmed_at=now)
            for u in users
        ),
        ignore_conflicts=True,
    )  # fmt: skip
    return f"{ip} trusted for {len(users)} users"


def wallets_tier_set(users: list[BenchUser], *, tier: str = BENCH_LIMIT_TIER) -> str:
    """Put every bench wallet in `tier` (as a KYC approval would), in one UPDATE."""
    from wallets.models import Wallet

    Wallet.objects.filter(pk__in=[u.wallet_id for u in users]).update(limit_tier=tier)
    return f"wallets in the {tier!r} limit tier"


def users_prepare(users: list[BenchUser], *, pin_setter: str | None = None) -> str:
    """Everything the money path checks besides the JWT: PIN, trusted IP, limit tier. Returns a note."""
    return "; ".join((pins_set(users, setter=pin_setter), ips_trust(users), wallets_tier_set(users)))


def ledger_bulk_post(postings: Iterable[Posting], *, currency: str = "USD", batch: int = 50_000) -> int:
    """Write postings as balanced ledger transactions with COPY; returns how many were written.

    Wallet balances are read under FOR UPDATE and written back at the end, in one transaction per
    batch, so concurrent postings through the API cannot interleave and break balance_after.
    """
    from django.db import transaction

    written = 0
    for chunk in _chunks(postings, batch):
        with transaction.atomic():
            written += _post_chunk(chunk, currency)
    return written


def _chunks(items: Iterable[Posting], size: int) -> Iterator[list[Posting]]:
    chunk: list[Posting] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _post_chunk(chunk: list[Posting], currency: str) -> int:
    from django.db import connection
    from django.utils import timezone

    wallet_ids = sorted({p.source_id for p in chunk} | {p.destination_id for p in chunk})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, balance, kind FROM wallets_wallet WHERE id = ANY(%s) ORDER BY id FOR UPDATE", [wallet_ids]
        )
        rows = cursor.fetchall()
        balances = {row[0]: row[1] for row in rows}
        system = {row[0] for row in rows if row[2] == "system"}  # they cache no balance: no balance_after
        start = timezone.now() - timedelta(microseconds=len(chunk))
        transactions, entries = [], []
        for offset, posting in enumerate(chunk):
            txn_id = uuid.uuid4()
            created = start + timedelta(microseconds=offset)
            balances[posting.source_id] -= posting.amount
            balances[posting.destination_id] += posting.amount
            reference = "TXN-" + secrets.token_hex(8).upper()
            transactions.append(
                (txn_id, reference, posting.kind, "posted", posting.amount, currency, posting.source_id,
                 posting.destination_id, posting.description, "{}", created)
            )  # fmt: skip
            entries.append((txn_id, posting.source_id, "debit", posting.amount, currency,
                            None if posting.source_id in system else balances[posting.source_id], created))  # fmt: skip
            entries.append((txn_id, posting.destination_id, "credit", posting.amount, currency,
                            None if posting.destination_id in system else balances[posting.destination_id],
                            created))  # fmt: skip
        with cursor.copy(
            "COPY ledger_transaction (id, reference, kind, status, amount, currency, from_wallet_id, to_wallet_id,"
            " description, metadata, created_at) FROM STDIN"
        ) as copy:
            for row in transactions:
                copy.write_row(row)
        with cursor.copy(
            "COPY ledger_entry (transaction_id, wallet_id, direction, amount, currency, balance_after, created_at)"
            " FROM STDIN"
        ) as copy:
            for row in entries:
                copy.write_row(row)
        users = [wallet_id for wallet_id in balances if wallet_id not in system]
        cursor.execute(
            "UPDATE wallets_wallet AS w SET balance = v.balance, updated_at = now()"
            " FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, balance) WHERE w.id = v.id",
            [users, [balances[wallet_id] for wallet_id in users]],
        )
        _spent_recount(cursor, sorted({p.source_id for p in chunk if p.kind in ("withdrawal", "transfer")}))
    return len(chunk)


def _spent_recount(cursor, wallet_ids: list[int]) -> None:
    """Set the senders' usage counters from the ledger, as every posting through the services keeps them."""
    from datetime import UTC, datetime, time

    from django.utils import timezone

    from wallets.limits import spending_periods

    day, month = spending_periods(timezone.now())
    cursor.execute(
        "INSERT INTO wallets_walletusage (owner_id, currency, day, day_total, month, month_total)"
        " SELECT w.owner_id, t.currency,"
        "        %(day)s, coalesce(sum(t.amount) FILTER (WHERE t.created_at >= %(day_start)s), 0),"
        "        %(month)s, sum(t.amount)"
        " FROM ledger_transaction t JOIN wallets_wallet w ON w.id = t.from_wallet_id"
        " WHERE t.kind IN ('withdrawal', 'transfer') AND t.created_at >= %(month_start)s AND w.kind = 'user'"
        "   AND w.owner_id IN (SELECT owner_id FROM wallets_wallet WHERE id = ANY(%(ids)s))"
        " GROUP BY w.owner_id, t.currency"
        " ON CONFLICT (owner_id, currency) DO UPDATE SET day = EXCLUDED.day, day_total = EXCLUDED.day_total,"
        "     month = EXCLUDED.month, month_total = EXCLUDED.month_total",
        {
            "day": day,
            "month": month,
            "day_start": datetime.combine(day, time.min, tzinfo=UTC),
            "month_start": datetime.combine(month, time.min, tzinfo=UTC),
            "ids": wallet_ids,
        },
    )


def users_fund(users: list[BenchUser], *, amount_minor: int, currency: str = "USD") -> None:
    """One deposit from @world into every bench wallet."""
    from wallets.models import SystemWalletPurpose
    from wallets.services import wallet_system_get

    world = wallet_system_get(currency=currency, purpose=SystemWalletPurpose.WORLD)
    ledger_bulk_post(
        (Posting(world.pk, u.wallet_id, amount_minor, kind="deposit", description="bench funding") for u in users),
        currency=currency,
    )


def random_transfers(wallet_ids: list[int], *, count: int, max_amount: int, rng: random.Random) -> Iterator[Posting]:
    """Random transfers between distinct wallets (fund the wallets well above count * max_amount / len)."""
    for _ in range(count):
        source, destination = rng.sample(wallet_ids, 2)
        yield Posting(source, destination, rng.randint(1, max_amount))

"""Small helpers for ledger tests: post through the API, and snapshot everything money touches."""

from ledger.idempotency import idempotency_request_build
from ledger.models import Entry, IdempotencyRecord, Transaction
from ledger.services import wallet_deposit
from wallets.models import Wallet

# The transaction PIN test users hold (withdraw and transfer carry it in the body).
TEST_PIN = "4826"


def post_money(client, operation: str, body: dict, key: str | None = "generate"):
    import uuid

    if operation in ("withdraw", "transfer"):
        body = {"pin": TEST_PIN} | body
    headers = {}
    if key == "generate":
        key = str(uuid.uuid4())
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(f"/api/v1/transactions/{operation}", body, format="json", **headers)


def fund(wallet: Wallet, minor_units: int) -> None:
    """Deposit through the real service, so the ledger stays balanced."""
    import uuid

    from vaultpay.money import Money, currency_for

    wallet_deposit(
        user=wallet.owner,
        amount=Money(minor_units, currency_for(wallet.currency)),
        idempotency=idempotency_request_build(
            user=wallet.owner, key=str(uuid.uuid4()), operation="deposit", payload={"test": True}
        ),
    )


def ledger_snapshot() -> tuple:
    return (
        sorted(Wallet.objects.values_list("pk", "balance", "status")),
        Transaction.objects.count(),
        Entry.objects.count(),
        IdempotencyRecord.objects.count(),
    )

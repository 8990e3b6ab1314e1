"""The one place that posts: the SQL functions of ledger/sql/posting.sql, and their refusals as errors."""

import json
import uuid

from django.db import connection, transaction
from django.utils import timezone

from audit.context import current_ip_hash
from ledger.exceptions import InsufficientFunds
from ledger.models import Transaction, TransactionKind, new_transaction_reference
from vaultpay.errors import VaultPayError
from vaultpay.metrics import posting_committed
from vaultpay.money import CurrencyMismatch, Money, format_minor
from vaultpay.request_id import current_request_id
from wallets.exceptions import LimitExceeded, WalletBalanceCapReached, WalletClosed, WalletFrozen, WalletNotFound
from wallets.limits import tier_limits_for_posting
from wallets.models import Wallet


def posting_refusal(outcome: str, detail: dict | None, *, currency: str) -> VaultPayError:
    """The error for a refusal of wallet_move (wallets/sql/wallet_move.sql), with its details in major units."""
    detail = detail or {}
    if outcome == "wallet_frozen":
        return WalletFrozen(details={"wallet": detail["wallet"]})
    if outcome == "wallet_closed":
        return WalletClosed(details={"wallet": detail["wallet"]})
    if outcome == "wallet_balance_cap_reached":
        return WalletBalanceCapReached(details={"wallet": detail["wallet"]})
    if outcome == "wallet_not_found":
        return WalletNotFound(details={"wallet": detail.get("wallet")})
    if outcome == "currency_mismatch":
        wallet = Wallet.objects.get(pk=detail["wallet_id"])
        return CurrencyMismatch(details={"wallet": wallet.label, "wallet_currency": detail["wallet_currency"]})
    if outcome == "insufficient_funds":
        return InsufficientFunds(details={key: format_minor(detail[key], currency) for key in ("balance", "requested")})
    if outcome == "limit_exceeded":
        limit, used = detail["limit"], detail["used"]
        return LimitExceeded(
            f"This payment would exceed the wallet's {detail['period']} spending limit.",
            details={
                "period": detail["period"],
                "tier": detail["tier"],
                "currency": currency,
                "limit": format_minor(limit, currency),
                "used": format_minor(used, currency),
                "remaining": format_minor(max(limit - used, 0), currency),
                "requested": format_minor(detail["requested"], currency),
            },
        )
    raise ValueError(f"unknown posting outcome {outcome!r}")


def posting_audit(*, kind: str, reference: str, amount: Money) -> dict:
    """The money.posted event's request context and values, as ledger_post() writes them."""
    return {
        "request_id": current_request_id()[:64],
        "ip_hash": current_ip_hash(),
        "new_values": {"reference": reference, "kind": kind, "amount": str(amount)},
    }


def posting_after_commit(transaction_id, kind: str) -> None:
    """Once the posting commits: count it, and with no worker (the embedded default, the tests) relay
    its outbox message at once."""
    from ledger.outbox import outbox_relay_on_commit

    transaction.on_commit(lambda: posting_committed(kind))
    outbox_relay_on_commit(str(transaction_id))


@transaction.atomic(savepoint=False)
def ledger_post(
    *,
    kind: TransactionKind,
    source: Wallet,
    destination: Wallet,
    amount: Money,
    initiator,
    description: str = "",
    metadata: dict | None = None,
    reverses: Transaction | None = None,
) -> Transaction:
    """Move `amount` from `source` to `destination` inside the caller's transaction.

    Raises WalletFrozen, WalletClosed, CurrencyMismatch, InsufficientFunds, LimitExceeded,
    WalletBalanceCapReached. A user wallet
    never goes below zero; system wallets may (their negative balance is money that entered VaultPay).
    """
    transaction_id, reference = uuid.uuid4(), new_transaction_reference()
    code = amount.currency.code
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT outcome, detail FROM ledger_post(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                kind,
                source.pk,
                destination.pk,
                code,
                amount.minor_units,
                tier_limits_for_posting(currency=code),
                transaction_id,
                reference,
                getattr(initiator, "pk", None),
                description,
                json.dumps(metadata or {}),
                getattr(reverses, "pk", None),
                json.dumps(
                    posting_audit(kind=kind, reference=reference, amount=amount)
                    | {"actor_role": getattr(initiator, "role", "")}
                ),
                timezone.now(),
            ],
        )
        outcome, detail = cursor.fetchone()
    if outcome != "ok":
        raise posting_refusal(outcome, json.loads(detail) if detail else None, currency=code)
    posting_after_commit(transaction_id, kind)
    return Transaction.objects.select_related("from_wallet__owner", "to_wallet__owner").get(pk=transaction_id)

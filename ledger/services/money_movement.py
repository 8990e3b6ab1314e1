"""Deposit, withdraw, transfer and hold: the money requests the API makes, each one round trip to the database.

ledger_money_request() (ledger/sql/posting.sql) runs the account gate, the idempotency key, the
wallet side and the posting as one statement in autocommit, so the statement is the transaction:
it commits whole or not at all. Python keeps what it does best: the input was validated by the
serializer, the PIN's HMAC is computed here, and every case the database does not settle on its own
(an address not yet trusted, a PIN row that is not clean, the currency's first @world) is handed to
the service that owns it, after which the request is made again.
"""

import json
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import User
from accounts.services.money_gate import MoneyGateRequest
from ledger.exceptions import NewRecipientDailyLimit, SelfTransfer
from ledger.idempotency import IdempotencyRequest, idempotency_lock_id
from ledger.models import Transaction, TransactionKind, new_transaction_reference
from ledger.services.posting import posting_after_commit, posting_audit, posting_refusal
from ledger.services.request_gate import GateState, gate_refusal, gate_round_trips, gate_state_start
from vaultpay.money import Money
from wallets.exceptions import WalletNotFound
from wallets.limits import tier_limits_for_posting
from wallets.models import SystemWalletPurpose, Wallet, WalletKind
from wallets.selectors import no_open_wallet

_MONEY_REQUEST_ARGUMENTS = 23  # ledger_money_request()'s parameters, in the order _call passes them
_MONEY_REQUEST_SQL = f"SELECT * FROM ledger_money_request({', '.join(['%s'] * _MONEY_REQUEST_ARGUMENTS)})"  # noqa: S608 - placeholders only


@dataclass(frozen=True)
class PostingResult:
    transaction: Transaction
    replayed: bool


@dataclass(frozen=True)
class MoneyRequest:
    kind: TransactionKind
    user_id: int
    amount: Money
    idempotency: IdempotencyRequest
    gate: MoneyGateRequest | None
    recipient: str | None = None
    description: str = ""
    metadata: dict = field(default_factory=dict)
    hold_lifetime: timedelta | None = None  # a hold's, until it expires uncaptured


# `gate`: see ledger.services.request_gate.gate_state_start.


def wallet_deposit(
    *,
    user,
    amount: Money,
    idempotency: IdempotencyRequest,
    gate: MoneyGateRequest | None = None,
    metadata: dict | None = None,
) -> PostingResult:
    """Credit the user's wallet with money entering VaultPay (from @world).

    Raises IpNotTrusted, IdempotencyRequestInProgress, IdempotencyKeyReused, WalletNotFound, WalletFrozen,
    CurrencyMismatch.
    """
    return _money_request(
        MoneyRequest(TransactionKind.DEPOSIT, user.pk, amount, idempotency, gate, metadata=metadata or {})
    )


def wallet_withdraw(
    *,
    user,
    amount: Money,
    idempotency: IdempotencyRequest,
    gate: MoneyGateRequest | None = None,
    metadata: dict | None = None,
) -> PostingResult:
    """Pay money out of the user's wallet (to @world).

    Raises IpNotTrusted, PinRequired, PinNotSet, PinLocked, PinInvalid, EmailNotVerified, OtpRequired,
    OtpInvalid, OtpLocked, IdempotencyRequestInProgress, IdempotencyKeyReused, WalletNotFound, WalletFrozen,
    CurrencyMismatch, InsufficientFunds, LimitExceeded.
    """
    return _money_request(
        MoneyRequest(TransactionKind.WITHDRAWAL, user.pk, amount, idempotency, gate, metadata=metadata or {})
    )


def wallet_transfer(
    *,
    sender,
    to_wallet_id: str,
    amount: Money,
    description: str = "",
    idempotency: IdempotencyRequest,
    gate: MoneyGateRequest | None = None,
    metadata: dict | None = None,
) -> PostingResult:
    """Send money from the sender's wallet to another user's wallet.

    Raises IpNotTrusted, PinRequired, PinNotSet, PinLocked, PinInvalid, EmailNotVerified, OtpRequired,
    OtpInvalid, OtpLocked, IdempotencyRequestInProgress, IdempotencyKeyReused, WalletNotFound, SelfTransfer,
    NewRecipientDailyLimit, WalletFrozen, WalletClosed,
    CurrencyMismatch, InsufficientFunds, LimitExceeded.
    """
    request = MoneyRequest(
        TransactionKind.TRANSFER, sender.pk, amount, idempotency, gate, to_wallet_id, description, metadata or {}
    )
    return _money_request(request)


def wallet_hold(
    *,
    user,
    amount: Money,
    idempotency: IdempotencyRequest,
    lifetime: timedelta,
    gate: MoneyGateRequest | None = None,
    to_wallet_id: str | None = None,
    description: str = "",
    metadata: dict | None = None,
) -> PostingResult:
    """Move `amount` from the user's wallet into @holds and write the hold (ledger.services.holds says the rest).

    Raises what a withdrawal does, and WalletNotFound, SelfTransfer, CurrencyMismatch for a bad `to_wallet_id`.
    """
    request = MoneyRequest(
        TransactionKind.HOLD,
        user.pk,
        amount,
        idempotency,
        gate,
        to_wallet_id,
        description,
        metadata or {},
        hold_lifetime=lifetime,
    )
    return _money_request(request)


def _money_request(request: MoneyRequest) -> PostingResult:
    state = gate_state_start(
        user_id=request.user_id, gate=request.gate, money=request.amount, recipient=request.recipient
    )
    row = gate_round_trips(
        state,
        lambda: _call(request, state),
        refusal=lambda outcome, detail: _refusal(request, outcome, detail),
    )
    if row["outcome"] == "replayed":
        return PostingResult(_earlier(row["transaction_id"]), replayed=True)
    posting_after_commit(row["transaction_id"], request.kind)
    return PostingResult(_posted(request, row), replayed=False)


def _call(request: MoneyRequest, state: GateState) -> dict:
    transaction_id, reference = uuid.uuid4(), new_transaction_reference()
    amount = request.amount
    with connection.cursor() as cursor:
        cursor.execute(
            _MONEY_REQUEST_SQL,
            [
                request.kind,
                *state.arguments(),
                idempotency_lock_id(request.idempotency),
                request.idempotency.key,
                request.idempotency.fingerprint,
                settings.IDEMPOTENCY_TTL,
                request.recipient,
                amount.currency.code,
                amount.minor_units,
                tier_limits_for_posting(currency=amount.currency.code),
                transaction_id,
                reference,
                request.description,
                json.dumps(request.metadata),
                json.dumps(posting_audit(kind=request.kind, reference=reference, amount=amount)),
                timezone.now(),
                settings.TRANSFER_NEW_RECIPIENT_DAILY_MAX,
                request.hold_lifetime,
            ],
        )
        columns = [column.name for column in cursor.description]
        row = dict(zip(columns, cursor.fetchone(), strict=True))
    row["reference"] = reference
    # Django's PostgreSQL backend hands jsonb over as text (its JSONField decodes it itself).
    row["detail"] = json.loads(row["detail"]) if row["detail"] else None
    return row


def _refusal(request: MoneyRequest, outcome: str, detail: dict | None):
    refusal = gate_refusal(outcome)
    if refusal is not None:
        return refusal
    if outcome == "no_wallet":
        return no_open_wallet()
    if outcome == "recipient_not_found":
        return WalletNotFound(details={"wallet": request.recipient})  # system wallets are never addressable
    if outcome == "self_transfer":
        return SelfTransfer()
    if outcome == "new_recipient_daily_limit":
        return NewRecipientDailyLimit(details=detail)
    return posting_refusal(outcome, detail, currency=request.amount.currency.code)


def _posted(request: MoneyRequest, row: dict) -> Transaction:
    """The transaction just posted, built from what the database returned (no second query)."""
    code = request.amount.currency.code
    own = Wallet(
        pk=row["wallet_id"],
        public_id=row["wallet_public_id"],
        kind=WalletKind.USER,
        owner_id=request.user_id,
        currency=code,
        balance=row["wallet_balance"],
    )
    if request.kind == TransactionKind.TRANSFER:
        owner = User(first_name=row["counterparty_first_name"], last_name=row["counterparty_last_name"])
        other = Wallet(
            pk=row["counterparty_id"],
            public_id=row["counterparty_public_id"],
            kind=WalletKind.USER,
            owner=owner,
            currency=code,
        )
    else:  # @world, or for a hold @holds (its counterparty columns name the default payee instead)
        hold = request.kind == TransactionKind.HOLD
        other = Wallet(
            pk=None if hold else row["counterparty_id"],
            kind=WalletKind.SYSTEM,
            system_purpose=SystemWalletPurpose.HOLDS if hold else SystemWalletPurpose.WORLD,
            currency=code,
        )
    source, destination = (other, own) if request.kind == TransactionKind.DEPOSIT else (own, other)
    return Transaction(
        id=row["transaction_id"],
        reference=row["reference"],
        kind=request.kind,
        amount=request.amount.minor_units,
        currency=code,
        from_wallet=source,
        to_wallet=destination,
        initiator_id=request.user_id,
        description=request.description,
        metadata=request.metadata,
        created_at=row["created_at"],
    )


def _earlier(transaction_id) -> Transaction:
    return Transaction.objects.select_related("from_wallet__owner", "to_wallet__owner", "reverses").get(
        pk=transaction_id
    )

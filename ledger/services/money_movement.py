"""Deposit, withdraw and transfer: the money requests the API makes, each one round trip to the database.

ledger_money_request() (ledger/sql/posting.sql) runs the account gate, the idempotency key, the
wallet side and the posting as one statement in autocommit, so the statement is the transaction:
it commits whole or not at all. Python keeps what it does best: the input was validated by the
serializer, the PIN's HMAC is computed here, and every case the database does not settle on its own
(an address not yet trusted, a PIN row that is not clean, the currency's first @world) is handed to
the service that owns it, after which the request is made again.
"""

import json
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed

from accounts.authentication import token_outdated
from accounts.exceptions import EmailNotVerified
from accounts.models import User
from accounts.services.money_gate import (
    MoneyGateRequest,
    money_gate_arguments,
    money_gate_check_ip,
    money_gate_check_pin,
    money_gate_remember_salt,
    money_gate_require_pin,
)
from accounts.services.step_up import money_sender_check
from ledger.exceptions import (
    IdempotencyKeyReused,
    IdempotencyRequestInProgress,
    NewRecipientDailyLimit,
    SelfTransfer,
)
from ledger.idempotency import IdempotencyRequest, idempotency_lock_id
from ledger.models import Transaction, TransactionKind, new_transaction_reference
from ledger.recipients import recipient_is_new
from ledger.services.posting import posting_after_commit, posting_audit, posting_refusal
from vaultpay.money import Money
from wallets.exceptions import WalletNotFound
from wallets.limits import tier_limits_for_posting
from wallets.models import SystemWalletPurpose, Wallet, WalletKind
from wallets.selectors import no_open_wallet
from wallets.services import wallet_system_get

_MONEY_REQUEST_ARGUMENTS = 21  # ledger_money_request()'s parameters, in the order _call passes them
_MONEY_REQUEST_SQL = f"SELECT * FROM ledger_money_request({', '.join(['%s'] * _MONEY_REQUEST_ARGUMENTS)})"  # noqa: S608 - placeholders only
# One round trip normally; each slow path adds one (unseen IP, PIN to count, stale salt, step-up, @world).
_ATTEMPTS = 6


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


# `gate` is what an API request brings (its address, its PIN). Without one, the caller vouches for the
# user itself (the demo seed, tests): the address and the PIN are not checked, everything else is.


def wallet_deposit(
    *, user, amount: Money, idempotency: IdempotencyRequest, gate: MoneyGateRequest | None = None
) -> PostingResult:
    """Credit the user's wallet with money entering VaultPay (from @world).

    Raises IpNotTrusted, IdempotencyRequestInProgress, IdempotencyKeyReused, WalletNotFound, WalletFrozen,
    CurrencyMismatch.
    """
    return _money_request(MoneyRequest(TransactionKind.DEPOSIT, user.pk, amount, idempotency, gate))


def wallet_withdraw(
    *, user, amount: Money, idempotency: IdempotencyRequest, gate: MoneyGateRequest | None = None
) -> PostingResult:
    """Pay money out of the user's wallet (to @world).

    Raises IpNotTrusted, PinRequired, PinNotSet, PinLocked, PinInvalid, EmailNotVerified, OtpRequired,
    OtpInvalid, OtpLocked, IdempotencyRequestInProgress, IdempotencyKeyReused, WalletNotFound, WalletFrozen,
    CurrencyMismatch, InsufficientFunds, LimitExceeded.
    """
    return _money_request(MoneyRequest(TransactionKind.WITHDRAWAL, user.pk, amount, idempotency, gate))


def wallet_transfer(
    *,
    sender,
    to_wallet_id: str,
    amount: Money,
    description: str = "",
    idempotency: IdempotencyRequest,
    gate: MoneyGateRequest | None = None,
) -> PostingResult:
    """Send money from the sender's wallet to another user's wallet.

    Raises IpNotTrusted, PinRequired, PinNotSet, PinLocked, PinInvalid, EmailNotVerified, OtpRequired,
    OtpInvalid, OtpLocked, IdempotencyRequestInProgress, IdempotencyKeyReused, WalletNotFound, SelfTransfer,
    NewRecipientDailyLimit, WalletFrozen, WalletClosed,
    CurrencyMismatch, InsufficientFunds, LimitExceeded.
    """
    request = MoneyRequest(TransactionKind.TRANSFER, sender.pk, amount, idempotency, gate, to_wallet_id, description)
    return _money_request(request)


def _money_request(request: MoneyRequest) -> PostingResult:
    gate = request.gate
    if gate is not None and gate.pin_required and not gate.pin:
        money_gate_require_pin(user=_user(request), ip=gate.ip)
    ip = gate.ip if gate is not None else None
    pin = gate.pin if gate is not None and gate.pin_required else None
    sender_check = gate is not None and gate.pin_required  # money leaves: verified email, step-up
    for _ in range(_ATTEMPTS):
        row = _call(request, ip=ip, pin=pin, sender_check=sender_check)
        outcome = row["outcome"]
        if outcome == "ok":
            posting_after_commit(row["transaction_id"], request.kind)
            return PostingResult(_posted(request, row), replayed=False)
        if outcome == "replayed":
            return PostingResult(_earlier(row["transaction_id"]), replayed=True)
        if outcome == "ip_check":
            money_gate_check_ip(user=_user(request), ip=ip)
            ip = None  # let through by the service that owns the rule
        elif outcome == "pin_check":
            salt = row["detail"]["salt"]
            if not money_gate_remember_salt(user_id=request.user_id, salt=salt):
                money_gate_check_pin(user=_user(request), pin=pin)
                pin = None
        elif outcome == "step_up_check":
            money_sender_check(
                user=_user(request),
                money=request.amount,
                otp=gate.otp,
                recipient_is_new=lambda: (
                    request.recipient is not None
                    and recipient_is_new(sender=_user(request), to_wallet_id=request.recipient)
                ),
            )
            sender_check = False
        elif outcome == "system_wallet_missing":
            wallet_system_get(currency=request.amount.currency.code, purpose=SystemWalletPurpose.WORLD)
        else:
            raise _refusal(request, outcome, row["detail"])
    raise RuntimeError(f"money request not settled after {_ATTEMPTS} attempts")  # a bug, never a client's doing


def _call(request: MoneyRequest, *, ip: str | None, pin: str | None, sender_check: bool) -> dict:
    gate = money_gate_arguments(user_id=request.user_id, ip=ip, pin=pin)
    transaction_id, reference = uuid.uuid4(), new_transaction_reference()
    amount = request.amount
    with connection.cursor() as cursor:
        cursor.execute(
            _MONEY_REQUEST_SQL,
            [
                request.kind,
                request.user_id,
                gate.ip_hash,
                gate.pin_salt,
                gate.pin_hash,
                sender_check,
                request.gate.auth_version if request.gate is not None else None,
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
                json.dumps(posting_audit(kind=request.kind, reference=reference, amount=amount)),
                timezone.now(),
                settings.TRANSFER_NEW_RECIPIENT_DAILY_MAX,
            ],
        )
        columns = [column.name for column in cursor.description]
        row = dict(zip(columns, cursor.fetchone(), strict=True))
    row["reference"] = reference
    # Django's PostgreSQL backend hands jsonb over as text (its JSONField decodes it itself).
    row["detail"] = json.loads(row["detail"]) if row["detail"] else None
    return row


def _user(request: MoneyRequest) -> User:
    return User.objects.get(pk=request.user_id)


def _refusal(request: MoneyRequest, outcome: str, detail: dict | None):
    if outcome == "idempotency_request_in_progress":
        return IdempotencyRequestInProgress()
    if outcome == "idempotency_key_reused":
        return IdempotencyKeyReused()
    if outcome == "no_wallet":
        return no_open_wallet()
    if outcome == "recipient_not_found":
        return WalletNotFound(details={"wallet": request.recipient})  # system wallets are never addressable
    if outcome == "self_transfer":
        return SelfTransfer()
    if outcome == "new_recipient_daily_limit":
        return NewRecipientDailyLimit(details=detail)
    if outcome == "email_not_verified":
        return EmailNotVerified()
    if outcome == "user_inactive":  # deactivated since the access token was issued
        return AuthenticationFailed("User is inactive", code="user_inactive")
    if outcome == "token_outdated":
        return token_outdated()
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
    else:
        other = Wallet(
            pk=row["counterparty_id"], kind=WalletKind.SYSTEM, system_purpose=SystemWalletPurpose.WORLD, currency=code
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
        created_at=row["created_at"],
    )


def _earlier(transaction_id) -> Transaction:
    return Transaction.objects.select_related("from_wallet__owner", "to_wallet__owner").get(pk=transaction_id)

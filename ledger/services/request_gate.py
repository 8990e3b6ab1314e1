"""What every money request passes before it posts, and the requests that post from Python behind it.

The account gate and the idempotency key are decided in the database (ledger_request_gate() in
ledger/sql/posting.sql); every case it does not settle on its own (an address not yet trusted, a
PIN row that is not clean, a step-up code to verify) goes to the service that owns it, which refuses
or lets the request through, and the request is made again (gate_round_trips). Deposits,
withdrawals, transfers and holds run the gate inside their one statement (ledger.services.money_movement,
ledger.services.holds); refunds lock the payment and post from Python, and run `gated_request`:
the gate, their posting and the idempotency record in one database transaction.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
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
from ledger.exceptions import IdempotencyKeyReused, IdempotencyRequestInProgress
from ledger.idempotency import IdempotencyRequest, idempotency_lock_id
from ledger.models import IdempotencyRecord, Transaction
from ledger.recipients import recipient_is_new
from vaultpay.money import Money
from wallets.models import SystemWalletPurpose
from wallets.services import wallet_system_get

# One round trip normally; each slow path adds one (unseen IP, PIN to count, stale salt, step-up, @world).
GATE_ATTEMPTS = 6


@dataclass
class GateState:
    """What the database still has to check for one request; the slow paths clear what they settled."""

    user_id: int
    gate: MoneyGateRequest | None
    money: Money
    recipient: str | None  # a payment's recipient wallet (public id), for the step-up's new-recipient rule
    ip: str | None
    pin: str | None
    sender_check: bool

    def arguments(self) -> list:
        """ledger_request_gate()'s account half, in its order (ledger_money_request() takes the same)."""
        gate = money_gate_arguments(user_id=self.user_id, ip=self.ip, pin=self.pin)
        return [
            self.user_id,
            gate.ip_hash,
            gate.pin_salt,
            gate.pin_hash,
            self.sender_check,
            self.gate.auth_version if self.gate is not None else None,
        ]

    def user(self) -> User:
        return User.objects.get(pk=self.user_id)


def gate_state_start(*, user_id: int, gate: MoneyGateRequest | None, money: Money, recipient: str | None) -> GateState:
    """`gate` is what an API request brings (its address, its PIN). Without one, the caller vouches for the
    user itself (the demo seed, tests): the address and the PIN are not checked, everything else is.

    Raises IpNotTrusted, PinRequired when the request needs a PIN and brought none.
    """
    state = GateState(user_id, gate, money, recipient, ip=None, pin=None, sender_check=False)
    if gate is not None:
        if gate.pin_required and not gate.pin:
            money_gate_require_pin(user=state.user(), ip=gate.ip)
        state.ip = gate.ip
        state.pin = gate.pin if gate.pin_required else None
        state.sender_check = gate.pin_required  # money leaves: verified email, step-up
    return state


def gate_settle(state: GateState, outcome: str, detail: dict | None) -> bool:
    """Run the service that owns `outcome`, if one does; True when the request should be made again.

    Raises what that service refuses with (IpNotTrusted, PinNotSet, PinLocked, PinInvalid,
    EmailNotVerified, OtpRequired, OtpInvalid, OtpLocked).
    """
    if outcome == "ip_check":
        money_gate_check_ip(user=state.user(), ip=state.ip)
        state.ip = None  # let through by the service that owns the rule
    elif outcome == "pin_check":
        if not money_gate_remember_salt(user_id=state.user_id, salt=detail["salt"]):
            money_gate_check_pin(user=state.user(), pin=state.pin)
            state.pin = None
    elif outcome == "step_up_check":
        money_sender_check(
            user=state.user(),
            money=state.money,
            otp=state.gate.otp,
            recipient_is_new=lambda: (
                state.recipient is not None and recipient_is_new(sender=state.user(), to_wallet_id=state.recipient)
            ),
        )
        state.sender_check = False
    else:
        return False
    return True


def gate_refusal(outcome: str) -> Exception | None:
    """The error for a refusal of the gate itself (the account or the key); None for any other outcome."""
    if outcome == "idempotency_request_in_progress":
        return IdempotencyRequestInProgress()
    if outcome == "idempotency_key_reused":
        return IdempotencyKeyReused()
    if outcome == "email_not_verified":
        return EmailNotVerified()
    if outcome == "user_inactive":  # deactivated since the access token was issued
        return AuthenticationFailed("User is inactive", code="user_inactive")
    if outcome == "token_outdated":
        return token_outdated()
    return None


def gate_round_trips(state: GateState, call: Callable[[], dict], *, refusal: Callable) -> dict:
    """Make a one-statement money request until the database settles it; its row, outcome 'ok' or 'replayed'.

    `call` makes the request with what `state` still asks the database to check; between attempts the
    slow paths run (gate_settle), and the currency's system wallet is created on its first use.
    Anything else is raised as `refusal(outcome, detail)` says.
    """
    for _ in range(GATE_ATTEMPTS):
        row = call()
        outcome = row["outcome"]
        if outcome in ("ok", "replayed"):
            return row
        if outcome == "system_wallet_missing":
            purpose = SystemWalletPurpose(row["detail"]["purpose"])
            wallet_system_get(currency=state.money.currency.code, purpose=purpose)
        elif not gate_settle(state, outcome, row["detail"]):
            raise refusal(outcome, row["detail"])
    raise RuntimeError(f"money request not settled after {GATE_ATTEMPTS} attempts")  # a bug, never a client's doing


@dataclass(frozen=True)
class GatedResult:
    transaction: Transaction  # the one the idempotency record names (the hold's authorization, the refund...)
    replayed: bool


_GATE_SQL = "SELECT outcome, detail, transaction_id FROM ledger_request_gate(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"


def gated_request(
    *,
    user_id: int,
    gate: MoneyGateRequest | None,
    money: Money,
    idempotency: IdempotencyRequest,
    post: Callable[[], Transaction],
    recipient: str | None = None,
) -> GatedResult:
    """Pass the gate, then call `post` and record the key, all in one database transaction.

    `post` posts (ledger.services.posting.ledger_post) and returns the transaction a replay of this request
    answers with; whatever it raises rolls everything back, the key included. A slow path of the gate runs
    between attempts, outside that transaction, so what it records (a wrong PIN's count) stays.
    """
    state = gate_state_start(user_id=user_id, gate=gate, money=money, recipient=recipient)
    for _ in range(GATE_ATTEMPTS):
        with transaction.atomic():
            outcome, detail, earlier_id = _gate(state, idempotency)
            if outcome == "ok":
                posted = post()
                IdempotencyRecord.objects.create(
                    user_id=user_id,
                    key=idempotency.key,
                    fingerprint=idempotency.fingerprint,
                    transaction=posted,
                    response_status=201,
                    expires_at=timezone.now() + settings.IDEMPOTENCY_TTL,
                )
                return GatedResult(posted, replayed=False)
            if outcome == "replayed":
                return GatedResult(Transaction.objects.get(pk=earlier_id), replayed=True)
        if not gate_settle(state, outcome, detail):
            raise gate_refusal(outcome) or RuntimeError(f"unexpected gate outcome {outcome!r}")
    raise RuntimeError(f"money request not settled after {GATE_ATTEMPTS} attempts")  # a bug, never a client's doing


def _gate(state: GateState, idempotency: IdempotencyRequest) -> tuple[str, dict | None, object]:
    with connection.cursor() as cursor:
        cursor.execute(
            _GATE_SQL,
            [
                *state.arguments(),
                idempotency_lock_id(idempotency),
                idempotency.key,
                idempotency.fingerprint,
                timezone.now(),
            ],
        )
        outcome, detail, earlier_id = cursor.fetchone()
    return outcome, json.loads(detail) if detail else None, earlier_id

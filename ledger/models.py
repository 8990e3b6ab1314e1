import secrets
import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils import timezone

from vaultpay.money import CURRENCY_CHOICES, format_minor
from wallets.models import Wallet


def new_transaction_reference() -> str:
    return "TXN-" + secrets.token_hex(8).upper()


class TransactionKind(models.TextChoices):
    DEPOSIT = "deposit", "Deposit"
    WITHDRAWAL = "withdrawal", "Withdrawal"
    TRANSFER = "transfer", "Transfer"
    REVERSAL = "reversal", "Reversal"
    FEE = "fee", "Fee"
    REFUND = "refund", "Refund"
    # A hold moves money from the owner's wallet into @holds (authorization); it leaves @holds back
    # to the owner (release: a void, an expiry, or the first step of a capture), and a capture then
    # pays the captured part from the owner's wallet to the payee or out of VaultPay.
    HOLD = "hold", "Hold"
    HOLD_RELEASE = "hold_release", "Hold release"
    HOLD_CAPTURE = "hold_capture", "Hold capture"


# Money returned on another transaction (linked by `reverses`): never itself reversed or refunded.
RETURN_KINDS = (TransactionKind.REVERSAL, TransactionKind.REFUND)
# A hold's bookkeeping between a wallet and @holds: the owner's own money set aside and given back,
# never a payment anyone could dispute.
HOLD_BOOKKEEPING_KINDS = (TransactionKind.HOLD, TransactionKind.HOLD_RELEASE)


class TransactionStatus(models.TextChoices):
    POSTED = "posted", "Posted"
    PARTIALLY_REVERSED = "partially_reversed", "Partially reversed"
    REVERSED = "reversed", "Reversed"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
    REFUNDED = "refunded", "Refunded"


class Transaction(models.Model):
    """A balanced set of entries. Posted once; only its status may change afterwards."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=24, unique=True, default=new_transaction_reference, editable=False)
    kind = models.CharField(max_length=16, choices=TransactionKind.choices)
    status = models.CharField(max_length=24, choices=TransactionStatus.choices, default=TransactionStatus.POSTED)
    amount = models.BigIntegerField(help_text="Minor units.")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    # The wallets money left and reached; kept on the row so a receipt or history line needs no
    # second query. The entries remain the source of truth.
    from_wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="+")
    to_wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="+")
    initiator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    description = models.CharField(max_length=280, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    # The transaction a reversal or a refund returns money of; together they never exceed its amount
    # (ledger/sql/reversal_guard.sql).
    reverses = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="transaction_amount_positive"),
            models.CheckConstraint(
                condition=~Q(from_wallet=models.F("to_wallet")), name="transaction_distinct_wallets"
            ),
        ]
        indexes = [
            # The cap on payments to a new recipient (ledger_new_recipient_payments_today) looks up
            # what one sender's wallet paid one recipient's wallet, by day.
            models.Index(fields=["from_wallet", "to_wallet", "created_at"], name="transaction_payee_idx"),
            # The moderator dashboard totals today's transactions.
            models.Index(fields=["created_at"], name="transaction_created_idx"),
            # History filtered by metadata[key]=value (metadata @> {...}). Partial: most postings carry
            # none, and those cost the index nothing.
            GinIndex(
                fields=["metadata"],
                name="transaction_metadata_idx",
                opclasses=["jsonb_path_ops"],
                condition=~Q(metadata={}),
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class EntryDirection(models.TextChoices):
    DEBIT = "debit", "Debit"  # lowers the wallet's balance
    CREDIT = "credit", "Credit"  # raises it


class Entry(models.Model):
    """One leg of a transaction on one wallet. Immutable: corrections are new reversal transactions."""

    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="entries")
    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="entries")
    direction = models.CharField(max_length=6, choices=EntryDirection.choices)
    amount = models.BigIntegerField(help_text="Minor units, always positive.")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    # A system wallet keeps no running balance (wallets.models.Wallet.balance says why): null there.
    balance_after = models.BigIntegerField(
        null=True, blank=True, help_text="A user wallet's balance right after this entry."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "entries"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="entry_amount_positive"),
        ]
        indexes = [
            # History reads one wallet's entries newest first, optionally within a date range.
            models.Index(fields=["wallet", "-id"], name="entry_wallet_newest_idx"),
            models.Index(fields=["wallet", "created_at"], name="entry_wallet_created_idx"),
        ]

    def __str__(self) -> str:
        # The wallet by its public id (one more query): this label is read by people, in the console.
        return f"{self.direction} of {format_minor(self.amount, self.currency)} {self.currency} on {self.wallet}"

    @property
    def signed_amount(self) -> int:
        return self.amount if self.direction == EntryDirection.CREDIT else -self.amount


class OutboxMessage(models.Model):
    """Something to deliver after a commit (receipts, later webhooks), written in the change's own transaction.

    The posting inserts the row; `ledger.outbox` relays it to Celery and deletes it. A row is only
    deleted once its task is published, so a broker outage or a killed relay delays delivery but
    never loses it (at least once: the tasks are idempotent).
    """

    topic = models.CharField(max_length=64)
    subject_id = models.CharField(max_length=64, help_text="The id of the row the message is about.")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.topic} {self.subject_id}"


class IdempotencyStatus(models.TextChoices):
    COMPLETED = "completed", "Completed"


class IdempotencyRecord(models.Model):
    """A money request already served: written in the posting's own DB transaction."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the operation and its body.")
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="+")
    response_status = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class DisputeStatus(models.TextChoices):
    OPEN = "open", "Open"
    UNDER_REVIEW = "under_review", "Under review"
    RESOLVED_REVERSED = "resolved_reversed", "Resolved: reversed"
    RESOLVED_PARTIAL = "resolved_partial", "Resolved: partially reversed"
    REJECTED = "rejected", "Rejected"


# Statuses in which a dispute still waits for a moderator; at most one per transaction.
DISPUTE_PENDING_STATUSES = (DisputeStatus.OPEN, DisputeStatus.UNDER_REVIEW)


class Dispute(models.Model):
    """A party's claim that a transaction was wrong, decided by a moderator (reject or reverse)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="disputes")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="disputes")
    reason = models.TextField()
    amount = models.BigIntegerField(help_text="Disputed amount in minor units.")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    status = models.CharField(max_length=20, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    deadline_at = models.DateTimeField(help_text="When a moderator should have decided.")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    reversed_amount = models.BigIntegerField(default=0, help_text="Minor units returned to the sender.")
    suspense_covered_amount = models.BigIntegerField(
        default=0, help_text="Minor units of the reversal paid by @suspense because the receiver could not."
    )
    # Dual control: a reversal above DISPUTE_DUAL_CONTROL_ABOVE is proposed by one moderator and
    # posted only when a second one approves it (ledger/services/dispute_controls.py).
    reversal_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reversal_proposed_amount = models.BigIntegerField(null=True, blank=True, help_text="Minor units.")
    reversal_proposed_cover_from_suspense = models.BooleanField(default=False)
    reversal_proposed_reason = models.TextField(blank=True)
    reversal_proposed_at = models.DateTimeField(null=True, blank=True)
    reversal_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Evidence is stored encrypted (ledger/evidence.py); only its envelope lives here.
    evidence_name = models.CharField(max_length=255, blank=True, help_text="Storage name of the encrypted file.")
    evidence_content_type = models.CharField(max_length=64, blank=True)
    evidence_size = models.PositiveIntegerField(null=True, blank=True)
    evidence_key_id = models.CharField(max_length=64, blank=True)
    evidence_wrapped_key = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["transaction"],
                condition=Q(status__in=["open", "under_review"]),
                name="dispute_one_pending_per_transaction",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="dispute_amount_positive"),
            models.CheckConstraint(
                condition=Q(reversed_amount__gte=0, suspense_covered_amount__gte=0)
                & Q(suspense_covered_amount__lte=models.F("reversed_amount"))
                & Q(reversed_amount__lte=models.F("amount")),
                name="dispute_reversed_amounts_consistent",
            ),
            models.CheckConstraint(
                condition=Q(reversal_proposed_amount__isnull=True)
                | Q(reversal_proposed_amount__gt=0, reversal_proposed_amount__lte=models.F("amount")),
                name="dispute_reversal_proposal_within_amount",
            ),
            # The approver is never the proposer, also when written by hand.
            models.CheckConstraint(
                condition=Q(reversal_approved_by__isnull=True)
                | ~Q(reversal_approved_by=models.F("reversal_proposed_by")),
                name="dispute_reversal_approved_by_second_moderator",
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline_at"], name="dispute_status_deadline_idx")]
        permissions = [
            ("review_dispute", "Can take disputes for review and reject them"),
            ("reverse_dispute", "Can resolve disputes with a reversal"),
        ]

    def __str__(self) -> str:
        return f"Dispute {str(self.pk)[:8]} on {self.transaction.reference}"

    @property
    def is_pending(self) -> bool:
        return self.status in DISPUTE_PENDING_STATUSES

    @property
    def awaits_reversal_approval(self) -> bool:
        return self.is_pending and self.reversal_proposed_by_id is not None


class HoldStatus(models.TextChoices):
    AUTHORIZED = "authorized", "Authorized"
    CAPTURED = "captured", "Captured"
    VOIDED = "voided", "Voided"
    EXPIRED = "expired", "Expired"


class Hold(models.Model):
    """Money set aside from a wallet (in @holds, by a posting), later captured, voided or expired.

    Settled once: a PostgreSQL trigger (ledger/sql/hold_guard.sql) refuses any change to a hold that
    is no longer authorized, so two settlements racing past the application's row lock still fail.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="holds")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="holds")
    amount = models.BigIntegerField(help_text="Minor units.")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    to_wallet = models.ForeignKey(
        Wallet, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Default payee."
    )
    description = models.CharField(max_length=280, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=HoldStatus.choices, default=HoldStatus.AUTHORIZED)
    captured_amount = models.BigIntegerField(default=0, help_text="Minor units.")
    expires_at = models.DateTimeField()
    authorization = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="+")
    release = models.OneToOneField(Transaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    capture = models.OneToOneField(Transaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    settled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="hold_amount_positive"),
            # Captured once, within the amount; only a captured hold has a capture.
            models.CheckConstraint(
                condition=Q(status="captured", captured_amount__gt=0, capture__isnull=False)
                & Q(captured_amount__lte=models.F("amount"))
                | ~Q(status="captured") & Q(captured_amount=0, capture__isnull=True),
                name="hold_captured_within_amount",
            ),
            # Every settlement releases the hold from @holds (a capture pays out of the released money).
            models.CheckConstraint(
                condition=Q(status="authorized", release__isnull=True, settled_at__isnull=True)
                | ~Q(status="authorized") & Q(release__isnull=False, settled_at__isnull=False),
                name="hold_settled_with_release",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="hold_owner_newest_idx"),
            # The expiry sweep reads authorized holds by expiry; balance-at reads a wallet's holds by time.
            models.Index(fields=["expires_at"], condition=Q(status="authorized"), name="hold_authorized_expiry_idx"),
            models.Index(fields=["wallet", "created_at"], name="hold_wallet_created_idx"),
        ]

    def __str__(self) -> str:
        return f"Hold {str(self.pk)[:8]} of {format_minor(self.amount, self.currency)} {self.currency}"

    @property
    def remaining(self) -> int:
        """What is still set aside: all of it while authorized, nothing once settled."""
        return self.amount if self.status == HoldStatus.AUTHORIZED else 0

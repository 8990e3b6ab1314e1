from django.conf import settings
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from accounts.serializers import PinField
from ledger.metadata import METADATA_MAX_KEYS, METADATA_MAX_VALUE, metadata_problems
from ledger.models import EntryDirection, TransactionKind
from vaultpay.api_fields import AmountField, CurrencyField, ExactFormSerializer, StrictCharField
from vaultpay.money import AmountInvalid, Money, format_minor
from wallets.models import PUBLIC_ID_REGEX, Wallet, WalletKind


def _request_example(name: str, value: dict) -> OpenApiExample:
    return OpenApiExample(name, value=value, request_only=True)


@extend_schema_field(
    {
        "type": "object",
        "maxProperties": METADATA_MAX_KEYS,
        "additionalProperties": {"type": "string", "maxLength": METADATA_MAX_VALUE},
        "example": {"order_id": "A-1009"},
    }
)
class MetadataField(serializers.Field):
    """Your own labels, returned as given (ledger.metadata has the rules)."""

    def to_internal_value(self, data):
        problems = metadata_problems(data)
        if problems:
            raise serializers.ValidationError(problems)
        return data

    def to_representation(self, value):
        return value


def metadata_field() -> MetadataField:
    return MetadataField(
        required=False,
        default=dict,
        help_text=f"Up to {METADATA_MAX_KEYS} keys of a-z, 0-9 and _ (1-40 characters), "
        f"string values up to {METADATA_MAX_VALUE} characters. History filters on it: metadata[key]=value.",
    )


@extend_schema_serializer(examples=[_request_example("Top up", {"amount": "100.00", "currency": "USD"})])
class MoneyInputSerializer(serializers.Serializer):
    """A deposit: money entering the caller's wallet from outside, so no PIN."""

    amount = AmountField(help_text='Decimal string in major units, e.g. "12.50"; never a JSON number.')
    currency = CurrencyField(help_text="ISO 4217 code of the wallet's currency, e.g. USD.")
    metadata = metadata_field()

    def validate(self, attrs):
        attrs["money"] = Money.parse(attrs.pop("amount"), attrs.pop("currency"))
        return attrs

    @staticmethod
    def fingerprint_payload(validated: dict) -> dict:
        money = validated["money"]
        # Without metadata, the fingerprint is the one a request had before metadata existed.
        skipped = ("money", "pin", "otp") + (() if validated.get("metadata") else ("metadata",))
        payload = {k: v for k, v in validated.items() if k not in skipped}
        return payload | {"amount": money.minor_units, "currency": money.currency.code}


@extend_schema_serializer(
    examples=[_request_example("Cash out", {"amount": "40.00", "currency": "USD", "pin": "4826"})]
)
class PinInputSerializer(serializers.Serializer):
    """What every request that takes money out of the caller's wallet brings: the PIN, and the step-up code."""

    pin = PinField(help_text="Transaction PIN (4-6 digits).")
    otp = serializers.CharField(
        max_length=16, required=False, write_only=True, help_text="TOTP code, when two-factor step-up asks for it."
    )


class PinMoneyInputSerializer(MoneyInputSerializer, PinInputSerializer):
    """Money leaving the caller's wallet: the transaction PIN is required."""


@extend_schema_serializer(
    examples=[
        _request_example(
            "Pay a friend",
            {"to_wallet": "VPY-7K2M9Q", "amount": "25.50", "currency": "USD", "description": "Lunch", "pin": "4826"},
        )
    ]
)
class TransferInputSerializer(PinMoneyInputSerializer):
    to_wallet = serializers.RegexField(PUBLIC_ID_REGEX, help_text="Recipient wallet id, VPY-XXXXXX.")
    description = StrictCharField(max_length=280, required=False, default="", allow_blank=True)


def _public_wallet_id(wallet: Wallet) -> str | None:
    # System wallets are internal bookkeeping: clients see money coming from or going "outside".
    return wallet.public_id if wallet.kind == WalletKind.USER else None


class CounterpartyOutputSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="First name and last initial.")
    wallet = serializers.CharField(help_text="Their wallet id, VPY-XXXXXX.")


class TransactionOutputSerializer(serializers.Serializer):
    """A transaction as one of its parties sees it (context["entry"] is that party's entry)."""

    id = serializers.UUIDField()
    reference = serializers.CharField()
    kind = serializers.ChoiceField(choices=TransactionKind.choices)
    status = serializers.CharField()
    direction = serializers.SerializerMethodField(help_text="in or out, from the caller's point of view.")
    amount = serializers.SerializerMethodField()
    currency = serializers.CharField()
    from_wallet = serializers.SerializerMethodField()
    to_wallet = serializers.SerializerMethodField()
    counterparty = serializers.SerializerMethodField()
    description = serializers.CharField()
    metadata = MetadataField(help_text="The labels given when it was posted; {} for none.")
    reverses = serializers.SerializerMethodField(
        help_text="The reference of the transaction a reversal or a refund returns money of; null otherwise."
    )
    created_at = serializers.DateTimeField()

    def get_reverses(self, txn) -> str | None:
        return txn.reverses.reference if txn.reverses_id else None

    def _caller_is_sender(self, txn) -> bool:
        return self.context["wallet_ids"] is not None and txn.from_wallet_id in self.context["wallet_ids"]

    def get_direction(self, txn) -> str:
        return "out" if self._caller_is_sender(txn) else "in"

    def get_amount(self, txn) -> str:
        return format_minor(txn.amount, txn.currency)

    def get_from_wallet(self, txn) -> str | None:
        return _public_wallet_id(txn.from_wallet)

    def get_to_wallet(self, txn) -> str | None:
        return _public_wallet_id(txn.to_wallet)

    @extend_schema_field(CounterpartyOutputSerializer(allow_null=True, help_text="Null for deposits and withdrawals."))
    def get_counterparty(self, txn) -> dict | None:
        other = txn.to_wallet if self._caller_is_sender(txn) else txn.from_wallet
        if other.kind != WalletKind.USER:
            return None
        return {"name": other.owner.display_name, "wallet": other.public_id}


class EntryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    wallet = serializers.SerializerMethodField()
    direction = serializers.ChoiceField(choices=EntryDirection.choices)
    amount = serializers.SerializerMethodField()
    currency = serializers.CharField()
    balance_after = serializers.SerializerMethodField(help_text="Only shown for the caller's own wallet.")
    created_at = serializers.DateTimeField()

    def get_wallet(self, entry) -> str:
        return entry.wallet.label if entry.wallet.kind == WalletKind.USER else "external"

    def get_amount(self, entry) -> str:
        return format_minor(entry.amount, entry.currency)

    def get_balance_after(self, entry) -> str | None:
        if entry.wallet.owner_id != self.context["user"].pk:
            return None  # another party's balance is theirs alone
        return format_minor(entry.balance_after, entry.currency)


class DisputeJsonInputSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=2000)
    amount = AmountField(required=False, help_text='Part of the transaction to dispute, e.g. "5.00"; default: all.')

    def validate_amount(self, value):
        if value is None or value == "":  # in JSON, leave the field out to dispute the whole amount
            raise AmountInvalid()
        return value


class DisputeInputSerializer(ExactFormSerializer, DisputeJsonInputSerializer):
    """The multipart form: the JSON fields plus an optional evidence file (JSON cannot carry one)."""

    evidence = serializers.FileField(
        required=False, allow_empty_file=False, help_text="Optional PDF, JPEG or PNG (multipart/form-data)."
    )

    def validate_amount(self, value):
        return None if value == "" else value  # a form sends the field it left empty as ""


class DisputeOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    transaction = serializers.UUIDField(source="transaction_id")
    transaction_reference = serializers.CharField(source="transaction.reference")
    status = serializers.CharField()
    reason = serializers.CharField()
    amount = serializers.SerializerMethodField()
    currency = serializers.CharField()
    reversed_amount = serializers.SerializerMethodField()
    decision_reason = serializers.CharField()
    has_evidence = serializers.SerializerMethodField()
    deadline_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True, help_text="Null until a moderator decides.")
    created_at = serializers.DateTimeField()

    def get_amount(self, dispute) -> str:
        return format_minor(dispute.amount, dispute.currency)

    def get_reversed_amount(self, dispute) -> str:
        return format_minor(dispute.reversed_amount, dispute.currency)

    def get_has_evidence(self, dispute) -> bool:
        return bool(dispute.evidence_name)


class TransactionPageSerializer(serializers.Serializer):
    """One page of history: `count` only with offset pages; `next`/`previous` are links or null."""

    count = serializers.IntegerField(required=False, help_text="Offset pages only.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = TransactionOutputSerializer(many=True)


def _optional_amount(help_text: str) -> AmountField:
    return AmountField(required=False, help_text=help_text)


def _refuse_null_amount(value):
    if value is None:  # leave the field out for "all of it"
        raise AmountInvalid()
    return value


@extend_schema_serializer(
    examples=[
        _request_example(
            "Hotel deposit",
            {
                "amount": "150.00",
                "currency": "USD",
                "description": "Room 12",
                "metadata": {"booking": "B-77"},
                "expires_in_seconds": 259200,
                "pin": "4826",
            },
        )
    ]
)
class HoldInputSerializer(PinMoneyInputSerializer):
    """A hold sets money aside from the wallet at once: like a withdrawal, it takes the PIN."""

    to_wallet = serializers.RegexField(
        PUBLIC_ID_REGEX, required=False, help_text="The payee a capture pays by default, VPY-XXXXXX."
    )
    description = StrictCharField(max_length=280, required=False, default="", allow_blank=True)
    expires_in_seconds = serializers.IntegerField(
        required=False,
        min_value=60,
        max_value=int(settings.HOLD_MAX_EXPIRY.total_seconds()),
        help_text=f"Default {int(settings.HOLD_DEFAULT_EXPIRY.total_seconds())} (7 days); "
        "released within a minute of expiring.",
    )


class HoldCaptureInputSerializer(PinInputSerializer):
    amount = _optional_amount('Part of the hold to capture, e.g. "40.00"; default: all. The rest is released.')
    to_wallet = serializers.RegexField(
        PUBLIC_ID_REGEX,
        required=False,
        help_text="Who is paid, VPY-XXXXXX; default: the hold's to_wallet, else the money leaves VaultPay.",
    )
    validate_amount = staticmethod(_refuse_null_amount)


class HoldOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField(help_text="authorized, captured, voided or expired.")
    amount = serializers.SerializerMethodField()
    captured_amount = serializers.SerializerMethodField(help_text='"0.00" unless captured.')
    currency = serializers.CharField()
    wallet = serializers.CharField(source="wallet.public_id")
    to_wallet = serializers.SerializerMethodField(help_text="The default payee; null for none.")
    description = serializers.CharField()
    metadata = MetadataField()
    expires_at = serializers.DateTimeField()
    settled_at = serializers.DateTimeField(allow_null=True, help_text="When it was captured, voided or expired.")
    authorization = serializers.UUIDField(source="authorization_id", help_text="The transaction that set it aside.")
    capture = serializers.UUIDField(source="capture_id", allow_null=True, help_text="The payment a capture made.")
    created_at = serializers.DateTimeField()

    def get_amount(self, hold) -> str:
        return format_minor(hold.amount, hold.currency)

    def get_captured_amount(self, hold) -> str:
        return format_minor(hold.captured_amount, hold.currency)

    def get_to_wallet(self, hold) -> str | None:
        return hold.to_wallet.public_id if hold.to_wallet_id else None


@extend_schema_serializer(
    examples=[_request_example("Give part back", {"amount": "5.00", "reason": "Returned item", "pin": "4826"})]
)
class RefundInputSerializer(PinInputSerializer):
    amount = _optional_amount('Part of the payment to refund, e.g. "5.00"; default: all that is left.')
    reason = StrictCharField(max_length=280, required=False, default="", allow_blank=True)
    metadata = metadata_field()
    validate_amount = staticmethod(_refuse_null_amount)

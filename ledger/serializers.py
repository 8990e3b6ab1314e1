from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ledger.models import EntryDirection, TransactionKind
from vaultpay.money import Money, format_minor
from wallets.models import PUBLIC_ID_REGEX, LimitTier, Wallet, WalletKind


@extend_schema_field(OpenApiTypes.STR)
class AnyValueField(serializers.Field):
    """Passes the raw JSON value through, so vaultpay.money can give type errors their own codes."""

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


class MoneyInputSerializer(serializers.Serializer):
    amount = AnyValueField(allow_null=True, help_text='Decimal string in major units, e.g. "12.50".')
    currency = AnyValueField(allow_null=True, help_text="ISO 4217 code, e.g. USD.")
    pin = serializers.CharField(required=False, write_only=True, help_text="Transaction PIN.")

    def validate(self, attrs):
        attrs["money"] = Money.parse(attrs.pop("amount"), attrs.pop("currency"))
        return attrs

    @staticmethod
    def fingerprint_payload(validated: dict) -> dict:
        money = validated["money"]
        payload = {k: v for k, v in validated.items() if k not in ("money", "pin", "otp")}
        return payload | {"amount": money.minor_units, "currency": money.currency.code}


class PinMoneyInputSerializer(MoneyInputSerializer):
    """Money leaving the caller's wallet: the transaction PIN is required."""

    pin = serializers.CharField(max_length=16, write_only=True, help_text="Transaction PIN (4-6 digits).")
    otp = serializers.CharField(
        max_length=16, required=False, write_only=True, help_text="TOTP code, when two-factor step-up asks for it."
    )


class TransferInputSerializer(PinMoneyInputSerializer):
    to_wallet = serializers.RegexField(PUBLIC_ID_REGEX, help_text="Recipient wallet id, VPY-XXXXXX.")
    description = serializers.CharField(max_length=280, required=False, default="", allow_blank=True)


def _public_wallet_id(wallet: Wallet) -> str | None:
    # System wallets are internal bookkeeping: clients see money coming from or going "outside".
    return wallet.public_id if wallet.kind == WalletKind.USER else None


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
    created_at = serializers.DateTimeField()

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


class LimitPeriodOutputSerializer(serializers.Serializer):
    limit = serializers.CharField(help_text='Major units, e.g. "500.00".')
    used = serializers.CharField()
    remaining = serializers.CharField()


class WalletLimitsOutputSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=LimitTier.choices)
    currency = serializers.CharField()
    daily = LimitPeriodOutputSerializer(help_text="Since 00:00 UTC today.")
    monthly = LimitPeriodOutputSerializer(help_text="Since 00:00 UTC on the first of the month.")


class DisputeJsonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    amount = serializers.CharField(
        required=False, allow_blank=True, help_text='Part of the transaction to dispute, e.g. "5.00"; default: all.'
    )


class DisputeInputSerializer(DisputeJsonInputSerializer):
    """The multipart form: the JSON fields plus an optional evidence file (JSON cannot carry one)."""

    evidence = serializers.FileField(
        required=False, allow_empty_file=False, help_text="Optional PDF, JPEG or PNG (multipart/form-data)."
    )


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
    decided_at = serializers.DateTimeField()
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

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vaultpay.money import CURRENCIES, format_minor
from wallets.models import LimitTier


@extend_schema_field({"type": "string", "enum": list(CURRENCIES)})
class CurrencyCodeField(serializers.CharField):
    """Any string is read (vaultpay.money answers currency_unsupported); the schema lists the supported codes."""


class WalletCreateInputSerializer(serializers.Serializer):
    # Only the currency is accepted: a wallet is born with balance zero, whatever else is sent.
    currency = CurrencyCodeField(max_length=8)


class WalletOutputSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    currency = serializers.CharField()
    balance = serializers.SerializerMethodField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_balance(self, wallet) -> str:
        return format_minor(wallet.balance, wallet.currency)


class LimitPeriodOutputSerializer(serializers.Serializer):
    limit = serializers.CharField(help_text='Major units, e.g. "500.00".')
    used = serializers.CharField()
    remaining = serializers.CharField()


class WalletLimitsOutputSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=LimitTier.choices)
    currency = serializers.CharField()
    daily = LimitPeriodOutputSerializer(help_text="Since 00:00 UTC today.")
    monthly = LimitPeriodOutputSerializer(help_text="Since 00:00 UTC on the first of the month.")

from rest_framework import serializers

from vaultpay.money import format_minor


class WalletCreateInputSerializer(serializers.Serializer):
    # Only the currency is accepted: a wallet is born with balance zero, whatever else is sent.
    currency = serializers.CharField(max_length=8)


class WalletOutputSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    currency = serializers.CharField()
    balance = serializers.SerializerMethodField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_balance(self, wallet) -> str:
        return format_minor(wallet.balance, wallet.currency)

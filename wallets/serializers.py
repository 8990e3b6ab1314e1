from rest_framework import serializers

from accounts.serializers import PinField
from vaultpay.api_fields import AmountField, CurrencyField
from vaultpay.money import format_minor
from wallets.models import LimitTier, WalletStatus


class WalletCreateInputSerializer(serializers.Serializer):
    # Only the currency is accepted: a wallet is born with balance zero, whatever else is sent.
    currency = CurrencyField(help_text="ISO 4217 code, e.g. USD.")


class WalletOutputSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    currency = serializers.CharField()
    balance = serializers.SerializerMethodField(help_text="Everything in the wallet: available + on_hold.")
    available = serializers.SerializerMethodField(help_text="What can be spent now.")
    on_hold = serializers.SerializerMethodField(help_text="What authorized holds set aside (POST /api/v1/holds).")
    status = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_balance(self, wallet) -> str:
        return format_minor(wallet.balance + wallet.on_hold, wallet.currency)

    def get_available(self, wallet) -> str:
        return format_minor(wallet.balance, wallet.currency)

    def get_on_hold(self, wallet) -> str:
        return format_minor(wallet.on_hold, wallet.currency)


class PendingLimitOutputSerializer(serializers.Serializer):
    limit = serializers.CharField(allow_null=True, help_text="Null: back to the tier's limit.")
    effective_at = serializers.DateTimeField()


class LimitPeriodOutputSerializer(serializers.Serializer):
    limit = serializers.CharField(help_text='The limit in force, major units, e.g. "500.00".')
    used = serializers.CharField()
    remaining = serializers.CharField()
    tier_limit = serializers.CharField(help_text="The tier's limit (or an admin's override for this wallet).")
    personal_limit = serializers.CharField(allow_null=True, help_text="Your own lower limit in force, if any.")
    pending = PendingLimitOutputSerializer(
        allow_null=True, help_text="A raise (or removal) of your own limit waiting out its 24-hour cooling-off."
    )


class PersonalLimitInputSerializer(serializers.Serializer):
    amount = AmountField(help_text='Your own limit for the period, major units, e.g. "200.00"; at most the tier\'s.')


class WalletLimitsOutputSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=LimitTier.choices)
    currency = serializers.CharField()
    daily = LimitPeriodOutputSerializer(help_text="Since 00:00 UTC today.")
    monthly = LimitPeriodOutputSerializer(help_text="Since 00:00 UTC on the first of the month.")


class WalletRecipientOutputSerializer(serializers.Serializer):
    """What a payer may know about a recipient: enough to check the name, nothing about their money."""

    id = serializers.CharField(source="public_id")
    display_name = serializers.CharField(source="owner.display_name", help_text="First name and last initial.")
    currency = serializers.CharField()
    can_receive = serializers.SerializerMethodField(help_text="False while the wallet cannot take payments.")

    def get_can_receive(self, wallet) -> bool:
        return wallet.status == WalletStatus.ACTIVE


class WalletUnfreezeInputSerializer(serializers.Serializer):
    pin = PinField(help_text="Your transaction PIN.")

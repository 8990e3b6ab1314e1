from django.contrib import admin

from vaultpay.admin_mixins import ReadOnlyAdminMixin
from vaultpay.money import format_minor
from wallets.models import Wallet


@admin.register(Wallet)
class WalletAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "public_id",
        "owner",
        "kind",
        "system_purpose",
        "currency",
        "display_balance",
        "status",
        "limit_tier",
    ]
    list_filter = ["kind", "status", "limit_tier", "currency"]
    search_fields = ["public_id", "owner__email"]
    list_select_related = ["owner"]
    readonly_fields = [f.name for f in Wallet._meta.fields]

    @admin.display(description="Balance", ordering="balance")
    def display_balance(self, wallet: Wallet) -> str:
        return format_minor(wallet.balance, wallet.currency)

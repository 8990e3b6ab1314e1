from django.contrib import admin, messages

from vaultpay.admin_mixins import ReadOnlyAdminMixin
from vaultpay.errors import VaultPayError
from vaultpay.money import format_minor
from wallets.models import Wallet
from wallets.services import wallet_admin_close, wallet_freeze, wallet_unfreeze


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
    actions = ["freeze_wallets", "unfreeze_wallets", "close_wallets"]

    @admin.display(description="Balance", ordering="balance")
    def display_balance(self, wallet: Wallet) -> str:
        return format_minor(wallet.balance, wallet.currency)

    def has_freeze_permission(self, request) -> bool:
        return request.user.has_perm("wallets.freeze_wallet")

    def has_close_permission(self, request) -> bool:
        return request.user.has_perm("wallets.close_wallet")

    def _apply(self, request, queryset, service, verb: str) -> None:
        # One service call per wallet, each its own transaction: one refusal does not undo the others.
        done = 0
        for wallet in queryset:
            try:
                service(wallet_id=wallet.pk, actor=request.user)
                done += 1
            except VaultPayError as exc:
                self.message_user(request, f"{wallet}: {exc.message}", messages.ERROR)
        if done:
            self.message_user(request, f"{verb} {done} wallet(s).", messages.SUCCESS)

    @admin.action(description="Freeze selected wallets", permissions=["freeze"])
    def freeze_wallets(self, request, queryset):
        self._apply(request, queryset, wallet_freeze, "Froze")

    @admin.action(description="Unfreeze selected wallets", permissions=["freeze"])
    def unfreeze_wallets(self, request, queryset):
        self._apply(request, queryset, wallet_unfreeze, "Unfroze")

    @admin.action(description="Close selected wallets (only empty ones)", permissions=["close"])
    def close_wallets(self, request, queryset):
        self._apply(request, queryset, wallet_admin_close, "Closed")

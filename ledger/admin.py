from django.contrib import admin

from ledger import admin_disputes  # noqa: F401 - registers the dispute console
from ledger.models import Entry, IdempotencyRecord, Transaction
from vaultpay.admin_mixins import ReadOnlyAdminMixin
from vaultpay.money import format_minor


class EntryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Entry
    fields = ["wallet", "direction", "amount", "balance_after", "created_at"]
    readonly_fields = fields
    extra = 0


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["reference", "kind", "status", "display_amount", "from_wallet", "to_wallet", "created_at"]
    list_filter = ["kind", "status", "currency", "created_at"]
    search_fields = ["reference", "id", "from_wallet__public_id", "to_wallet__public_id", "initiator__email"]
    list_select_related = ["from_wallet", "to_wallet"]
    readonly_fields = [f.name for f in Transaction._meta.fields]
    inlines = [EntryInline]
    date_hierarchy = "created_at"

    @admin.display(description="Amount", ordering="amount")
    def display_amount(self, txn: Transaction) -> str:
        return f"{format_minor(txn.amount, txn.currency)} {txn.currency}"


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "transaction", "wallet", "direction", "amount", "balance_after", "created_at"]
    list_filter = ["direction", "currency"]
    search_fields = ["transaction__reference", "wallet__public_id"]
    list_select_related = ["transaction", "wallet"]
    readonly_fields = [f.name for f in Entry._meta.fields]


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["key", "user", "transaction", "response_status", "created_at", "expires_at"]
    search_fields = ["key", "user__email"]
    list_select_related = ["user", "transaction"]

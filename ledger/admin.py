"""The ledger pages of the console: read-only, newest first, amounts in major units, objects linked."""

from django.contrib import admin
from django.utils.html import format_html_join

from audit.admin_history import AuditHistoryAdminMixin
from ledger import admin_disputes  # noqa: F401 - registers the dispute console
from ledger.models import Entry, Hold, IdempotencyRecord, Transaction
from vaultpay.admin_mixins import ReadOnlyAdminMixin, admin_change_link, admin_changelist_link, admin_money


class EntryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Entry
    fields = ["wallet_link", "direction", "display_amount", "display_balance_after", "created_at"]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("wallet")

    @admin.display(description="Wallet")
    def wallet_link(self, entry: Entry) -> str:
        return admin_change_link(entry.wallet)

    @admin.display(description="Amount")
    def display_amount(self, entry: Entry) -> str:
        return admin_money(entry.amount, entry.currency)

    @admin.display(description="Balance after")
    def display_balance_after(self, entry: Entry) -> str:
        return admin_money(entry.balance_after, entry.currency)


@admin.register(Transaction)
class TransactionAdmin(AuditHistoryAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["reference", "kind", "status", "display_amount", "from_link", "to_link", "created_at"]
    list_filter = ["kind", "status", "currency", "created_at"]
    search_fields = ["reference", "=id", "from_wallet__public_id", "to_wallet__public_id", "initiator__email"]
    list_select_related = ["from_wallet", "to_wallet"]
    ordering = ["-created_at"]
    fields = [
        "reference", "id", "kind", "status", "display_amount", "from_link", "to_link", "initiator_link",
        "description", "metadata", "reverses_link", "reversals_links", "disputes_link", "created_at",
    ]  # fmt: skip
    readonly_fields = fields
    inlines = [EntryInline]
    date_hierarchy = "created_at"

    @admin.display(description="Amount", ordering="amount")
    def display_amount(self, txn: Transaction) -> str:
        return admin_money(txn.amount, txn.currency)

    @admin.display(description="From", ordering="from_wallet__public_id")
    def from_link(self, txn: Transaction) -> str:
        return admin_change_link(txn.from_wallet)

    @admin.display(description="To", ordering="to_wallet__public_id")
    def to_link(self, txn: Transaction) -> str:
        return admin_change_link(txn.to_wallet)

    @admin.display(description="Initiator")
    def initiator_link(self, txn: Transaction) -> str:
        return admin_change_link(txn.initiator)

    @admin.display(description="Reverses or refunds")
    def reverses_link(self, txn: Transaction) -> str:
        return admin_change_link(txn.reverses)

    @admin.display(description="Reversed or refunded by")
    def reversals_links(self, txn: Transaction) -> str:
        reversals = txn.reversals.order_by("created_at")
        links = [(admin_change_link(r, f"{r.reference} ({admin_money(r.amount, r.currency)})"),) for r in reversals]
        return format_html_join(", ", "{}", links) or "—"

    @admin.display(description="Disputes")
    def disputes_link(self, txn: Transaction) -> str:
        count = txn.disputes.count()
        return admin_changelist_link("ledger.dispute", f"{count} dispute(s)", transaction__id__exact=txn.pk)


@admin.register(Hold)
class HoldAdmin(AuditHistoryAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Holds are settled by their owners and the expiry sweep only: the console reads them."""

    list_display = [
        "short_id",
        "status",
        "display_amount",
        "display_captured",
        "wallet_link",
        "expires_at",
        "created_at",
    ]
    list_filter = ["status", "currency", "created_at"]
    search_fields = ["=id", "wallet__public_id", "owner__email"]
    list_select_related = ["wallet"]
    ordering = ["-created_at"]
    fields = [
        "id", "status", "display_amount", "display_captured", "wallet_link", "owner_link", "to_wallet_link",
        "description", "metadata", "expires_at", "settled_at", "authorization_link", "capture_link",
        "release_link", "created_at",
    ]  # fmt: skip
    readonly_fields = fields
    date_hierarchy = "created_at"

    @admin.display(description="Hold")
    def short_id(self, hold: Hold) -> str:
        return str(hold.pk)[:8]

    @admin.display(description="Amount", ordering="amount")
    def display_amount(self, hold: Hold) -> str:
        return admin_money(hold.amount, hold.currency)

    @admin.display(description="Captured")
    def display_captured(self, hold: Hold) -> str:
        return admin_money(hold.captured_amount, hold.currency)

    @admin.display(description="Wallet", ordering="wallet__public_id")
    def wallet_link(self, hold: Hold) -> str:
        return admin_change_link(hold.wallet)

    @admin.display(description="Owner")
    def owner_link(self, hold: Hold) -> str:
        return admin_change_link(hold.owner)

    @admin.display(description="Default payee")
    def to_wallet_link(self, hold: Hold) -> str:
        return admin_change_link(hold.to_wallet)

    @admin.display(description="Authorization")
    def authorization_link(self, hold: Hold) -> str:
        return admin_change_link(hold.authorization)

    @admin.display(description="Capture")
    def capture_link(self, hold: Hold) -> str:
        return admin_change_link(hold.capture)

    @admin.display(description="Release")
    def release_link(self, hold: Hold) -> str:
        return admin_change_link(hold.release)


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "transaction_link",
        "wallet_link",
        "direction",
        "display_amount",
        "display_balance_after",
        "created_at",
    ]
    list_filter = ["direction", "currency"]
    search_fields = ["transaction__reference", "wallet__public_id"]
    list_select_related = ["transaction", "wallet"]
    ordering = ["-id"]
    fields = ["transaction_link", "wallet_link", "direction", "display_amount", "display_balance_after", "created_at"]
    readonly_fields = fields

    @admin.display(description="Transaction", ordering="transaction__reference")
    def transaction_link(self, entry: Entry) -> str:
        return admin_change_link(entry.transaction)

    @admin.display(description="Wallet", ordering="wallet__public_id")
    def wallet_link(self, entry: Entry) -> str:
        return admin_change_link(entry.wallet)

    @admin.display(description="Amount", ordering="amount")
    def display_amount(self, entry: Entry) -> str:
        return admin_money(entry.amount, entry.currency)

    @admin.display(description="Balance after", ordering="balance_after")
    def display_balance_after(self, entry: Entry) -> str:
        return admin_money(entry.balance_after, entry.currency)


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["key", "user", "transaction", "response_status", "created_at", "expires_at"]
    search_fields = ["key", "user__email"]
    list_select_related = ["user", "transaction"]
    ordering = ["-created_at"]

"""The wallet pages of the console: user wallets by default, freeze with a reason, limit overrides."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, Sum, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.views.decorators.http import require_POST

from audit.admin_history import AuditHistoryAdminMixin
from vaultpay.admin_mixins import ReadOnlyAdminMixin, admin_change_link, admin_changelist_link, admin_money
from vaultpay.errors import VaultPayError
from vaultpay.money import CURRENCIES, parse_amount
from wallets.limit_overrides import (
    OVERRIDE_PERMISSION,
    wallet_limit_override_clear,
    wallet_limit_override_for,
    wallet_limit_override_set,
)
from wallets.limits import tier_limits, wallet_usage
from wallets.models import Wallet, WalletKind
from wallets.services import wallet_admin_close, wallet_freeze, wallet_unfreeze

LATEST_ENTRIES = 20


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}), max_length=500, strip=True, help_text="Kept and audited."
    )


class LimitOverrideForm(forms.Form):
    daily = forms.CharField(required=False, help_text="Major units, e.g. 25000.00; empty keeps the tier's limit.")
    monthly = forms.CharField(required=False, help_text="Major units; empty keeps the tier's limit.")
    expires_at = forms.DateTimeField(required=False, help_text="UTC, e.g. 2026-12-31 23:59; empty: no expiry.")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 60}), max_length=500, strip=True)

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = CURRENCIES[currency]

    def _clean_amount(self, name: str) -> int | None:
        raw = self.cleaned_data.get(name, "").strip()
        if not raw:
            return None
        try:
            return parse_amount(raw, self.currency)
        except VaultPayError as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean_daily(self) -> int | None:
        return self._clean_amount("daily")

    def clean_monthly(self) -> int | None:
        return self._clean_amount("monthly")


class WalletKindFilter(admin.SimpleListFilter):
    """User wallets unless the moderator asks for the system wallets (the ledger's counterweights)."""

    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(None, "User wallets"), ("system", "System wallets"), ("all", "All")]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: value} if value else {}, [self.parameter_name]
                ),
                "display": label,
            }

    def queryset(self, request, queryset):
        if self.value() == "system":
            return queryset.filter(kind=WalletKind.SYSTEM)
        if self.value() == "all":
            return queryset
        return queryset.filter(kind=WalletKind.USER)


@admin.register(Wallet)
class WalletAdmin(AuditHistoryAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["public_id", "owner_link", "currency", "display_balance", "status", "display_tier", "created_at"]
    list_filter = [WalletKindFilter, "status", "limit_tier", "currency"]
    search_fields = ["public_id", "owner__email"]
    list_select_related = ["owner"]
    ordering = ["-created_at"]
    fields = [
        "public_id", "owner_link", "kind", "system_purpose", "currency", "display_balance", "status", "status_reason",
        "display_tier", "display_limits", "display_spent", "related_links", "latest_entries", "created_at",
    ]  # fmt: skip
    readonly_fields = fields
    actions = ["freeze_wallets", "unfreeze_wallets", "close_wallets"]
    change_form_template = "admin/wallets/wallet/change_form.html"

    @admin.display(description="Owner", ordering="owner__email")
    def owner_link(self, wallet: Wallet) -> str:
        return admin_change_link(wallet.owner) if wallet.owner_id else "— (system wallet)"

    @admin.display(description="Balance", ordering="balance")
    def display_balance(self, wallet: Wallet) -> str:
        if wallet.kind == WalletKind.SYSTEM:  # it caches no balance: the sum of its entries is its balance
            signed = Case(When(direction="credit", then=F("amount")), default=-F("amount"))
            total = wallet.entries.aggregate(total=Coalesce(Sum(signed), 0))["total"]
            return f"{admin_money(total, wallet.currency)} (from its entries)"
        return admin_money(wallet.balance, wallet.currency)

    @admin.display(description="Limit tier", ordering="limit_tier")
    def display_tier(self, wallet: Wallet) -> str:
        return wallet.get_limit_tier_display() if wallet.kind == WalletKind.USER else "—"

    @admin.display(description="Limits in force")
    def display_limits(self, wallet: Wallet) -> str:
        if wallet.kind != WalletKind.USER:
            return "—"
        override = wallet_limit_override_for(wallet)
        limits = override or tier_limits(tier=wallet.limit_tier, currency=wallet.currency)
        currency = wallet.currency
        text = f"daily {admin_money(limits.daily, currency)}, monthly {admin_money(limits.monthly, currency)}"
        if override is None:
            return f"{text} (the tier's)"
        until = wallet.limit_override_expires_at
        expiry = f" until {until:%Y-%m-%d %H:%M} UTC" if until else ""
        return f"{text} (override{expiry}: {wallet.limit_override_reason})"

    @admin.display(description="Owner sent today / this month")
    def display_spent(self, wallet: Wallet) -> str:
        used = wallet_usage(owner_id=wallet.owner_id, currency=wallet.currency, now=timezone.now())
        return f"{admin_money(used.daily, wallet.currency)} / {admin_money(used.monthly, wallet.currency)}"

    @admin.display(description="Related")
    def related_links(self, wallet: Wallet) -> str:
        # By admin URL name: the ledger and KYC apps sit above wallets and are not imported here.
        links = [
            admin_changelist_link("ledger.transaction", "Transactions", q=wallet.public_id),
            admin_changelist_link("ledger.entry", "Entries", wallet__id__exact=wallet.pk),
        ]
        if wallet.owner_id:
            owner = wallet.owner_id
            links.append(admin_changelist_link("kyc.kycsubmission", "KYC submissions", user__id__exact=owner))
            links.append(
                admin_changelist_link("ledger.dispute", "Disputes opened by the owner", opened_by__id__exact=owner)
            )
        return format_html_join(" · ", "{}", ((link,) for link in links))

    @admin.display(description="Latest entries")
    def latest_entries(self, wallet: Wallet) -> str:
        entries = wallet.entries.select_related("transaction").order_by("-id")[:LATEST_ENTRIES]
        rows = [
            {
                "entry": entry,
                "amount": admin_money(entry.amount, entry.currency),
                "balance_after": admin_money(entry.balance_after, entry.currency),
            }
            for entry in entries
        ]
        return render_to_string("admin/wallets/wallet/latest_entries.html", {"rows": rows})

    def has_freeze_permission(self, request) -> bool:
        return request.user.has_perm("wallets.freeze_wallet")

    def has_close_permission(self, request) -> bool:
        return request.user.has_perm("wallets.close_wallet")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/freeze/", wrap(require_POST(self.freeze_view)), name="wallets_wallet_freeze"),
            path("<int:object_id>/unfreeze/", wrap(require_POST(self.unfreeze_view)), name="wallets_wallet_unfreeze"),
            path("<int:object_id>/limits/", wrap(require_POST(self.limits_view)), name="wallets_wallet_limits"),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        wallet = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "can_freeze": self.has_freeze_permission(request),
            "can_override": request.user.has_perm(OVERRIDE_PERMISSION),
            "reason_form": ReasonForm(),
            "limit_form": LimitOverrideForm(currency=wallet.currency, prefix="limit") if wallet else None,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def freeze_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        return self._status_view(request, object_id, wallet_freeze, "frozen")

    def unfreeze_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        return self._status_view(request, object_id, wallet_unfreeze, "unfrozen")

    def _status_view(self, request, object_id, service, verb: str) -> HttpResponse:
        if not self.has_freeze_permission(request):
            raise PermissionDenied
        wallet = get_object_or_404(Wallet, pk=object_id)
        form = ReasonForm(request.POST)
        if not form.is_valid():
            self.message_user(request, "Give a reason: it is kept on the wallet and in the audit log.", messages.ERROR)
        else:
            self._run(request, lambda: service(wallet_id=wallet.pk, actor=request.user, **form.cleaned_data), verb)
        return HttpResponseRedirect(reverse("admin:wallets_wallet_change", args=[wallet.pk]))

    def limits_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        if not request.user.has_perm(OVERRIDE_PERMISSION):
            raise PermissionDenied
        wallet = get_object_or_404(Wallet, pk=object_id)
        form = LimitOverrideForm(request.POST, currency=wallet.currency, prefix="limit")
        if not form.is_valid():
            problems = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
            self.message_user(request, f"The override was not saved. {problems}", messages.ERROR)
        elif "_clear" in request.POST:
            step = lambda: wallet_limit_override_clear(  # noqa: E731
                wallet_id=wallet.pk, actor=request.user, reason=form.cleaned_data["reason"]
            )
            self._run(request, step, "back on its tier's limits")
        else:
            data = form.cleaned_data
            step = lambda: wallet_limit_override_set(  # noqa: E731
                wallet_id=wallet.pk, actor=request.user, daily_minor=data["daily"], monthly_minor=data["monthly"],
                expires_at=data["expires_at"], reason=data["reason"],
            )  # fmt: skip
            self._run(request, step, "given its own limits")
        return HttpResponseRedirect(reverse("admin:wallets_wallet_change", args=[wallet.pk]))

    def _run(self, request, step, verb: str) -> bool:
        try:
            wallet = step()
        except VaultPayError as exc:
            self.message_user(request, f"{exc.message} {exc.details or ''}".strip(), messages.ERROR)
            return False
        self.message_user(request, f"Wallet {wallet} {verb}.", messages.SUCCESS)
        return True

    def _apply_with_reason(self, request, queryset, service, title: str, verb: str):
        """A list action that first asks for the reason, then calls the service once per wallet."""
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": title,
                "opts": self.model._meta,
                "wallets": queryset,
                "form": form,
                "action": request.POST.get("action"),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/wallets/wallet/reason_selected.html", context)
        for wallet in queryset:
            self._run(request, lambda w=wallet: service(wallet_id=w.pk, actor=request.user, **form.cleaned_data), verb)
        return None

    @admin.action(description="Freeze selected wallets…", permissions=["freeze"])
    def freeze_wallets(self, request, queryset):
        return self._apply_with_reason(request, queryset, wallet_freeze, "Freeze wallets", "frozen")

    @admin.action(description="Unfreeze selected wallets…", permissions=["freeze"])
    def unfreeze_wallets(self, request, queryset):
        return self._apply_with_reason(request, queryset, wallet_unfreeze, "Unfreeze wallets", "unfrozen")

    @admin.action(description="Close selected wallets (only empty ones)", permissions=["close"])
    def close_wallets(self, request, queryset):
        for wallet in queryset:
            self._run(request, lambda w=wallet: wallet_admin_close(wallet_id=w.pk, actor=request.user), "closed")

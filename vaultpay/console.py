"""The moderator console: the Django admin site whose first page is the moderators' dashboard."""

from django.contrib import admin
from django.http import HttpRequest

from kyc.selectors import kyc_pending_count
from ledger.selectors import disputes_pending_count, ledger_volume_today
from vaultpay.money import format_minor
from wallets.selectors import wallet_frozen_count


def dashboard_context(user) -> dict:
    """The dashboard's figures, each shown only to users allowed to see what it counts.

    A figure the user may not see stays None; the template shows "—" for it.
    """
    context = {"pending_kyc": None, "frozen_wallets": None, "today_volume": None, "open_disputes": None}
    if user.has_perm("kyc.view_kycsubmission"):
        context["pending_kyc"] = kyc_pending_count()
    if user.has_perm("ledger.view_dispute"):
        context["open_disputes"] = disputes_pending_count()
    if user.has_perm("wallets.view_wallet"):
        context["frozen_wallets"] = wallet_frozen_count()
    if user.has_perm("ledger.view_transaction"):
        context["today_volume"] = [
            {
                "currency": row["currency"],
                "total": format_minor(row["total_minor"], row["currency"]),
                "count": row["count"],
            }
            for row in ledger_volume_today()
        ]
    return context


class VaultPayAdminSite(admin.AdminSite):
    site_header = "VaultPay console"
    site_title = "VaultPay console"
    index_title = "Moderator dashboard"
    index_template = "admin/vaultpay_dashboard.html"
    login_template = "admin/vaultpay_login.html"

    @property
    def login_form(self):
        from accounts.console_login import ConsoleLoginForm  # the admin site loads before the apps' models

        return ConsoleLoginForm

    def login(self, request: HttpRequest, extra_context: dict | None = None):
        response = super().login(request, extra_context)
        form = getattr(response, "context_data", None) and response.context_data.get("form")
        if form is not None and form.is_bound and form.has_error("__all__", code="rate_limited"):
            response.status_code = 429  # throttled: say so to scripts, not only in the page
        return response

    def index(self, request: HttpRequest, extra_context: dict | None = None):
        extra_context = {**(extra_context or {}), "dashboard": dashboard_context(request.user)}
        return super().index(request, extra_context)

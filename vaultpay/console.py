"""The moderator console: the Django admin site whose first page is the moderators' dashboard."""

from django.contrib import admin
from django.http import HttpRequest

from kyc.selectors import kyc_pending_count
from ledger.selectors import disputes_pending_count, ledger_volume_all_time, ledger_volume_today
from vaultpay.money import format_minor
from wallets.selectors import wallet_counts, wallet_frozen_count


def _volume_rows(rows: list[dict]) -> list[dict]:
    return [
        {"currency": r["currency"], "total": format_minor(r["total_minor"], r["currency"]), "count": r["count"]}
        for r in rows
    ]


def dashboard_context(user) -> dict:
    """The dashboard's figures, each shown only to users allowed to see what it counts.

    A figure the user may not see stays None; the template shows "—" for it.
    """
    context = dict.fromkeys(
        ["pending_kyc", "frozen_wallets", "wallets", "today_volume", "all_time_volume", "open_disputes"]
    )
    if user.has_perm("kyc.view_kycsubmission"):
        context["pending_kyc"] = kyc_pending_count()
    if user.has_perm("ledger.view_dispute"):
        context["open_disputes"] = disputes_pending_count()
    if user.has_perm("wallets.view_wallet"):
        context["frozen_wallets"] = wallet_frozen_count()
        context["wallets"] = wallet_counts()
    if user.has_perm("ledger.view_transaction"):
        context["today_volume"] = _volume_rows(ledger_volume_today())
        context["all_time_volume"] = _volume_rows(ledger_volume_all_time())
    return context


class VaultPayAdminSite(admin.AdminSite):
    site_header = "VaultPay console"
    site_title = "VaultPay console"
    index_title = "Moderator dashboard"
    index_template = "admin/vaultpay_dashboard.html"
    # "View site" opens what VaultPay serves to the world: its API documentation.
    site_url = "/api/v1/docs/"
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

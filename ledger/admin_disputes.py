"""The moderator console for disputes: take, reject with a reason, reverse all or part, and approve
a large reversal another moderator proposed (dual control). Refusals (own case, own proposal) are
shown with the service's reason."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from audit.admin_history import AuditHistoryAdminMixin
from ledger.models import Dispute, Transaction
from ledger.services.disputes import (
    REVERSE_PERMISSION,
    REVIEW_PERMISSION,
    dispute_evidence_open,
    dispute_reject,
    dispute_reversal_approve,
    dispute_reverse,
    dispute_take,
)
from vaultpay.admin_mixins import ReadOnlyAdminMixin, admin_change_link, admin_money
from vaultpay.errors import VaultPayError
from wallets.models import WalletKind


class DisputeRejectForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), help_text="Both parties are told this reason.")


class DisputeReverseForm(forms.Form):
    amount = forms.CharField(
        required=False, help_text="Leave empty to reverse the whole disputed amount; e.g. 5.00 for part of it."
    )
    cover_from_suspense = forms.BooleanField(
        required=False,
        label="Cover a shortfall from @suspense",
        help_text="If the receiver's balance is short, @suspense pays the rest (recorded as a platform loss).",
    )
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class DisputeApproveReversalForm(forms.Form):
    confirm = forms.BooleanField(label="I checked the proposed reversal and approve it")


class OverdueFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue"), ("no", "On time")]

    def queryset(self, request, queryset):
        pending = queryset.filter(status__in=["open", "under_review"])
        if self.value() == "yes":
            return pending.filter(deadline_at__lt=timezone.now())
        if self.value() == "no":
            return pending.filter(deadline_at__gte=timezone.now())
        return queryset


@admin.register(Dispute)
class DisputeAdmin(AuditHistoryAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["short_id", "transaction", "opened_by", "status", "display_amount", "deadline", "assigned_to"]
    list_filter = ["status", OverdueFilter, "created_at"]
    search_fields = ["=id", "transaction__reference", "opened_by__email"]
    list_select_related = ["transaction", "opened_by", "assigned_to"]
    fields = [
        "id", "transaction_link", "opened_by_link", "status", "reason", "display_amount", "deadline",
        "assigned_to", "decided_by", "decided_at", "decision_reason", "display_reversed", "display_suspense_covered",
        "reversals_links", "evidence", "created_at",
    ]  # fmt: skip
    readonly_fields = fields
    ordering = ["-created_at"]
    actions = ["take"]
    change_form_template = "admin/ledger/dispute/change_form.html"

    @admin.display(description="Transaction")
    def transaction_link(self, dispute: Dispute) -> str:
        txn = dispute.transaction
        return admin_change_link(
            txn, f"{txn.reference} ({txn.get_kind_display()} of {admin_money(txn.amount, txn.currency)})"
        )

    @admin.display(description="Opened by")
    def opened_by_link(self, dispute: Dispute) -> str:
        return admin_change_link(dispute.opened_by)

    @admin.display(description="Reversed")
    def display_reversed(self, dispute: Dispute) -> str:
        return admin_money(dispute.reversed_amount, dispute.currency)

    @admin.display(description="Covered by @suspense")
    def display_suspense_covered(self, dispute: Dispute) -> str:
        return admin_money(dispute.suspense_covered_amount, dispute.currency)

    @admin.display(description="Reversal transactions")
    def reversals_links(self, dispute: Dispute) -> str:
        reversals = Transaction.objects.filter(metadata__dispute=str(dispute.pk)).order_by("created_at")
        links = [(admin_change_link(r, f"{r.reference} ({admin_money(r.amount, r.currency)})"),) for r in reversals]
        return format_html_join(", ", "{}", links) or "—"

    @admin.display(description="Evidence")
    def evidence(self, dispute: Dispute) -> str:
        if not dispute.evidence_name:
            return "None attached"
        url = reverse("admin:ledger_dispute_evidence", args=[dispute.pk])
        return format_html(
            '<a href="{}" target="_blank" rel="noopener noreferrer" id="dispute-view-evidence">Open evidence</a>'
            " ({}, {} bytes; each view is audited)",
            url, dispute.evidence_content_type, dispute.evidence_size,
        )  # fmt: skip

    @admin.display(description="Dispute")
    def short_id(self, dispute: Dispute) -> str:
        return str(dispute.pk)[:8]

    @admin.display(description="Disputed amount", ordering="amount")
    def display_amount(self, dispute: Dispute) -> str:
        return admin_money(dispute.amount, dispute.currency)

    @admin.display(description="Deadline", ordering="deadline_at")
    def deadline(self, dispute: Dispute) -> str:
        text = dispute.deadline_at.strftime("%Y-%m-%d %H:%M")
        if dispute.is_pending and dispute.deadline_at < timezone.now():
            return format_html('<strong style="color:#ba2121">{} (overdue)</strong>', text)
        return text

    def has_review_permission(self, request) -> bool:
        return request.user.has_perm(REVIEW_PERMISSION)

    @admin.action(description="Take selected disputes for review", permissions=["review"])
    def take(self, request, queryset):
        for dispute in queryset:
            self._run(request, lambda d=dispute: dispute_take(moderator=request.user, dispute_id=d.pk), "taken")

    def get_urls(self):
        own = [
            path(
                "<uuid:dispute_id>/reject/", self.admin_site.admin_view(self.reject_view), name="ledger_dispute_reject"
            ),
            path(
                "<uuid:dispute_id>/reverse/",
                self.admin_site.admin_view(self.reverse_view),
                name="ledger_dispute_reverse",
            ),
            path("<uuid:dispute_id>/take/", self.admin_site.admin_view(self.take_view), name="ledger_dispute_take"),
            path(
                "<uuid:dispute_id>/approve-reversal/",
                self.admin_site.admin_view(self.approve_reversal_view),
                name="ledger_dispute_approve_reversal",
            ),
            path(
                "<uuid:dispute_id>/evidence/",
                self.admin_site.admin_view(self.evidence_view),
                name="ledger_dispute_evidence",
            ),
        ]
        return own + super().get_urls()

    def reject_view(self, request, dispute_id):
        return self._decision_view(
            request, dispute_id, DisputeRejectForm, REVIEW_PERMISSION, "Reject dispute",
            lambda data: dispute_reject(moderator=request.user, dispute_id=dispute_id, reason=data["reason"]),
        )  # fmt: skip

    def reverse_view(self, request, dispute_id):
        return self._decision_view(
            request, dispute_id, DisputeReverseForm, REVERSE_PERMISSION, "Reverse dispute",
            lambda data: dispute_reverse(moderator=request.user, dispute_id=dispute_id, **data),
        )  # fmt: skip

    def approve_reversal_view(self, request, dispute_id):
        return self._decision_view(
            request, dispute_id, DisputeApproveReversalForm, REVERSE_PERMISSION, "Approve proposed reversal",
            lambda data: dispute_reversal_approve(moderator=request.user, dispute_id=dispute_id),
        )  # fmt: skip

    def take_view(self, request, dispute_id):
        if request.method == "POST" and request.user.has_perm(REVIEW_PERMISSION):
            self._run(request, lambda: dispute_take(moderator=request.user, dispute_id=dispute_id), "taken")
        return HttpResponseRedirect(reverse("admin:ledger_dispute_change", args=[dispute_id]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_review": request.user.has_perm(REVIEW_PERMISSION),
            "can_reverse": request.user.has_perm(REVERSE_PERMISSION),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def evidence_view(self, request, dispute_id):
        try:
            content, content_type = dispute_evidence_open(moderator=request.user, dispute_id=dispute_id)
        except VaultPayError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:ledger_dispute_change", args=[dispute_id]))
        response = HttpResponse(content, content_type=content_type)
        # Inline, like a KYC document: the content type was checked by content at upload (PDF/JPEG/PNG).
        response["Content-Disposition"] = f'inline; filename="evidence-{dispute_id}"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"  # never cached
        response["Referrer-Policy"] = "no-referrer"
        return response

    def _decision_view(self, request, dispute_id, form_class, permission, title, decide):
        dispute = self.get_object(request, str(dispute_id))
        if dispute is None or not request.user.has_perm(permission):
            self.message_user(request, "You cannot do this.", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:ledger_dispute_changelist"))
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if self._run(request, lambda: decide(form.cleaned_data), "decided"):
                return HttpResponseRedirect(reverse("admin:ledger_dispute_change", args=[dispute_id]))
        context = self.admin_site.each_context(request) | {
            "title": title,
            "dispute": dispute,
            "form": form,
            "opts": self.model._meta,
            "amount": self.display_amount(dispute),
            "proposed": self._proposal_summary(dispute),
            "receiver": self._receiver_balance(dispute),
        }
        return TemplateResponse(request, "admin/ledger/dispute/decide.html", context)

    @staticmethod
    def _receiver_balance(dispute: Dispute) -> dict | None:
        """The receiver's available balance: what a reversal takes back before @suspense must cover."""
        receiver = dispute.transaction.to_wallet
        if receiver.kind != WalletKind.USER:
            return None
        short = max(dispute.amount - receiver.balance, 0)
        return {
            "wallet": receiver,
            "balance": admin_money(receiver.balance, receiver.currency),
            "shortfall": admin_money(short, receiver.currency) if short else None,
        }

    def _run(self, request, step, done: str) -> bool:
        """Run one service call; show its domain error (with why it was refused) instead of a 500."""
        try:
            dispute = step()
        except VaultPayError as exc:
            self.message_user(request, f"{exc.message} {exc.details or ''}".strip(), messages.ERROR)
            return False
        if dispute.awaits_reversal_approval:
            self.message_user(
                request,
                f"Dispute {str(dispute.pk)[:8]}: reversal of {self._proposal_summary(dispute)} proposed. "
                "It is above the dual-control threshold: a second moderator must approve it.",
                messages.WARNING,
            )
            return True
        self.message_user(
            request, f"Dispute {str(dispute.pk)[:8]} {done}: {dispute.get_status_display()}.", messages.SUCCESS
        )
        return True

    @staticmethod
    def _proposal_summary(dispute: Dispute) -> str:
        if dispute.reversal_proposed_amount is None:
            return ""
        return admin_money(dispute.reversal_proposed_amount, dispute.currency)

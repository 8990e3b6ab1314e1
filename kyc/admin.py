"""The KYC review queue of the moderator console."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.views.decorators.http import require_POST

from audit.admin_history import AuditHistoryAdminMixin
from kyc.exceptions import KycDocumentUnreadable, KycKeyUnknown
from kyc.models import KycDuplicateAttempt, KycSubmission
from kyc.selectors import kyc_submissions_pending_first
from kyc.services import kyc_approve, kyc_document_read, kyc_reject
from vaultpay.admin_mixins import ReadOnlyAdminMixin, admin_change_link
from vaultpay.errors import VaultPayError

VIEW_DOCUMENT_PERMISSION = "kyc.view_kycdocument"
_EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


class RejectionForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), max_length=1000, strip=True)


@admin.register(KycSubmission)
class KycSubmissionAdmin(AuditHistoryAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "user_link", "document_type", "status", "duplicate_attempts", "reviewed_by"]
    list_filter = ["status", "document_type", "created_at"]
    search_fields = ["user__email", "document_number", "=id"]
    list_select_related = ["user", "reviewed_by"]
    fields = [
        "id", "user_link", "wallets", "document_type", "document_number", "status", "rejection_reason",
        "reviewed_by", "reviewed_at", "created_at", "document_summary", "duplicate_attempts",
    ]  # fmt: skip
    readonly_fields = fields
    actions = ["approve_selected", "reject_selected"]
    change_form_template = "admin/kyc/kycsubmission/change_form.html"
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[KycSubmission]:
        return (
            kyc_submissions_pending_first()
            .select_related("document")
            .annotate(duplicate_count=Count("duplicate_attempts"))
        )

    def get_ordering(self, request: HttpRequest) -> list:
        return list(kyc_submissions_pending_first().query.order_by)

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("kyc.review_kycsubmission")

    @admin.display(description="Applicant", ordering="user__email")
    def user_link(self, submission: KycSubmission) -> str:
        return admin_change_link(submission.user)

    @admin.display(description="Wallets")
    def wallets(self, submission: KycSubmission) -> str:
        links = [(admin_change_link(w),) for w in submission.user.wallets.order_by("-created_at")]
        return format_html_join(", ", "{}", links) or "—"

    @admin.display(description="Duplicate attempts", ordering="duplicate_count")
    def duplicate_attempts(self, submission: KycSubmission) -> int:
        return submission.duplicate_count

    @admin.display(description="Document")
    def document_summary(self, submission: KycSubmission) -> str:
        document = submission.document
        return f"{document.content_type}, {document.size:,} bytes, master key {document.key_id}"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<uuid:object_id>/document/", wrap(self.document_view), name="kyc_kycsubmission_document"),
            path("<uuid:object_id>/approve/", wrap(require_POST(self.approve_view)), name="kyc_kycsubmission_approve"),
            path("<uuid:object_id>/reject/", wrap(require_POST(self.reject_view)), name="kyc_kycsubmission_reject"),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_view_document": request.user.has_perm(VIEW_DOCUMENT_PERMISSION),
            "can_review": self.has_review_permission(request),
            "rejection_form": RejectionForm(),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def document_view(self, request: HttpRequest, object_id) -> HttpResponse:
        """The decrypted document, inline, never cached; each view is an audit event."""
        if not request.user.has_perm(VIEW_DOCUMENT_PERMISSION):
            raise PermissionDenied
        submission = get_object_or_404(KycSubmission, pk=object_id)
        try:
            # GCM authenticates the whole file before releasing any plaintext, so it is decrypted
            # in memory and then sent; nothing is written to disk on the way.
            plaintext, content_type = kyc_document_read(submission=submission, viewer=request.user)
        except (KycDocumentUnreadable, KycKeyUnknown) as exc:
            self.message_user(request, f"The document cannot be shown: {exc.message}", messages.ERROR)
            return HttpResponseRedirect(self._change_url(submission))
        response = HttpResponse(plaintext, content_type=content_type)
        response["Content-Disposition"] = f'inline; filename="kyc-{submission.pk}.{_EXTENSIONS[content_type]}"'
        response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        response["Pragma"] = "no-cache"
        response["Expires"] = "0"
        response["X-Content-Type-Options"] = "nosniff"
        response["Referrer-Policy"] = "no-referrer"
        return response

    def approve_view(self, request: HttpRequest, object_id) -> HttpResponse:
        submission = self._reviewable(request, object_id)
        self._run(request, lambda: kyc_approve(submission=submission, moderator=request.user), "approved")
        return HttpResponseRedirect(self._change_url(submission))

    def reject_view(self, request: HttpRequest, object_id) -> HttpResponse:
        submission = self._reviewable(request, object_id)
        form = RejectionForm(request.POST)
        if not form.is_valid():
            self.message_user(request, "Give the reason for the rejection: the user reads it.", messages.ERROR)
        else:
            reason = form.cleaned_data["reason"]
            self._run(
                request, lambda: kyc_reject(submission=submission, moderator=request.user, reason=reason), "rejected"
            )
        return HttpResponseRedirect(self._change_url(submission))

    @admin.action(description="Approve selected submissions", permissions=["review"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[KycSubmission]) -> None:
        for submission in queryset:
            self._run(request, lambda s=submission: kyc_approve(submission=s, moderator=request.user), "approved")

    @admin.action(description="Reject selected submissions…", permissions=["review"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[KycSubmission]):
        form = RejectionForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            for submission in queryset:
                self._run(
                    request,
                    lambda s=submission: kyc_reject(submission=s, moderator=request.user, reason=reason),
                    "rejected",
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Reject KYC submissions",
            "opts": self.model._meta,
            "submissions": queryset,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/kyc/kycsubmission/reject_selected.html", context)

    def _reviewable(self, request: HttpRequest, object_id) -> KycSubmission:
        if not self.has_review_permission(request):
            raise PermissionDenied
        return get_object_or_404(KycSubmission, pk=object_id)

    def _run(self, request: HttpRequest, decide, verb: str) -> None:
        try:
            submission = decide()
        except VaultPayError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        label = f"{submission.get_document_type_display()} of {submission.user}"
        self.message_user(request, f"{label} {verb}; the user is being emailed.", messages.SUCCESS)

    def _change_url(self, submission: KycSubmission) -> str:
        return reverse("admin:kyc_kycsubmission_change", args=[submission.pk])


@admin.register(KycDuplicateAttempt)
class KycDuplicateAttemptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "user", "matched_submission", "document_type"]
    list_filter = ["document_type", "created_at"]
    search_fields = ["user__email", "matched_submission__user__email", "document_number"]
    list_select_related = ["user", "matched_submission__user"]
    readonly_fields = [f.name for f in KycDuplicateAttempt._meta.fields]

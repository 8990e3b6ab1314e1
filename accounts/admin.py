from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.views.decorators.http import require_POST

from accounts.emails import email_delivery_resend
from accounts.models import EmailDelivery, Notification, User
from accounts.roles import Role
from accounts.services import user_deactivate, user_reactivate, user_set_role
from accounts.services.deactivation import DEACTIVATE_PERMISSION
from audit.admin_history import AuditHistoryAdminMixin
from vaultpay.admin_mixins import ReadOnlyAdminMixin, admin_change_link, admin_changelist_link
from vaultpay.errors import VaultPayError


class DeactivationForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 60}), max_length=500, strip=True)


@admin.register(User)
class UserAdmin(AuditHistoryAdminMixin, admin.ModelAdmin):
    # Never the password hash, never PIN data: moderators read users, they do not see credentials.
    list_display = ["email", "first_name", "last_name", "role", "is_active", "date_joined"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fields = [
        "email", "first_name", "last_name", "role", "is_active", "deactivation_reason", "deactivated_at",
        "is_staff", "date_joined", "last_login", "related_links",
    ]  # fmt: skip
    # Role, staff flag and groups move together, audited, through the role actions only; the active
    # flag through deactivate / reactivate, which also revoke sessions and record the reason.
    readonly_fields = [f for f in fields if f not in ("first_name", "last_name")]
    ordering = ["-date_joined"]
    actions = ["make_user", "make_moderator", "make_admin", "make_super_admin"]
    change_form_template = "admin/accounts/user/change_form.html"

    def has_add_permission(self, request) -> bool:
        return False  # people sign up through the API

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # accounts hold ledger history; deactivate instead

    def has_manage_moderators_permission(self, request) -> bool:
        return request.user.has_perm("accounts.manage_moderators")

    def has_manage_admins_permission(self, request) -> bool:
        return request.user.has_perm("accounts.manage_admins")

    @admin.display(description="Related")
    def related_links(self, user: User) -> str:
        wallets = [admin_change_link(w) for w in user.wallets.order_by("-created_at")]
        links = wallets + [
            admin_changelist_link("kyc.kycsubmission", "KYC submissions", user__id__exact=user.pk),
            admin_changelist_link("ledger.transaction", "Transactions started", initiator__id__exact=user.pk),
            admin_changelist_link("ledger.dispute", "Disputes opened", opened_by__id__exact=user.pk),
            admin_changelist_link("audit.auditevent", "Audit events as actor", actor__id__exact=user.pk),
        ]
        return format_html_join(" · ", "{}", ((link,) for link in links))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/deactivate/", wrap(require_POST(self.deactivate_view)), name="accounts_user_deactivate"
            ),
            path(
                "<int:object_id>/reactivate/", wrap(require_POST(self.reactivate_view)), name="accounts_user_reactivate"
            ),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_deactivate": request.user.has_perm(DEACTIVATE_PERMISSION),
            "deactivation_form": DeactivationForm(),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def deactivate_view(self, request, object_id):
        return self._activation_view(request, object_id, user_deactivate, "deactivated: every session was revoked")

    def reactivate_view(self, request, object_id):
        return self._activation_view(request, object_id, user_reactivate, "reactivated")

    def _activation_view(self, request, object_id, service, verb: str):
        if not request.user.has_perm(DEACTIVATE_PERMISSION):
            raise PermissionDenied
        user = get_object_or_404(User, pk=object_id)
        form = DeactivationForm(request.POST)
        if not form.is_valid():
            self.message_user(request, "Give a reason: it is kept and audited.", messages.ERROR)
        else:
            try:
                service(user=user, actor=request.user, reason=form.cleaned_data["reason"])
                self.message_user(request, f"{user} {verb}.", messages.SUCCESS)
            except VaultPayError as exc:
                self.message_user(request, f"{user}: {exc.message}", messages.ERROR)
        return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[user.pk]))

    def _set_role(self, request, queryset, role: Role) -> None:
        for user in queryset:
            try:
                user_set_role(user=user, role=role, actor=request.user)
                self.message_user(request, f"{user}: now {role.label}.", messages.SUCCESS)
            except VaultPayError as exc:
                self.message_user(request, f"{user}: {exc.message}", messages.ERROR)

    @admin.action(description="Set role: user", permissions=["manage_moderators"])
    def make_user(self, request, queryset):
        self._set_role(request, queryset, Role.USER)

    @admin.action(description="Set role: moderator", permissions=["manage_moderators"])
    def make_moderator(self, request, queryset):
        self._set_role(request, queryset, Role.MODERATOR)

    @admin.action(description="Set role: admin", permissions=["manage_admins"])
    def make_admin(self, request, queryset):
        self._set_role(request, queryset, Role.ADMIN)

    @admin.action(description="Set role: super admin", permissions=["manage_admins"])
    def make_super_admin(self, request, queryset):
        self._set_role(request, queryset, Role.SUPER_ADMIN)


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "template", "to_address", "status", "attempts", "sent_at", "short_error"]
    list_filter = ["status", "template", "created_at"]
    search_fields = ["event_key", "to_address", "recipient__email"]
    list_select_related = ["recipient"]
    readonly_fields = [f.name for f in EmailDelivery._meta.fields]
    actions = ["resend"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]

    @admin.display(description="Last error")
    def short_error(self, delivery: EmailDelivery) -> str:
        return delivery.last_error[:80]

    @admin.action(description="Resend selected emails", permissions=["resend"])
    def resend(self, request, queryset):
        for delivery in queryset:
            email_delivery_resend(delivery_id=delivery.pk, actor=request.user)
        self.message_user(request, f"{queryset.count()} email(s) queued again.", messages.SUCCESS)

    def has_resend_permission(self, request) -> bool:
        return request.user.has_perm("accounts.resend_emaildelivery")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "title", "read_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["user__email", "event_key", "title"]
    list_select_related = ["user"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    ordering = ["-created_at"]


# The webhooks' console lists live beside their models.
from accounts.webhooks import admin as _webhook_admin  # noqa: E402, F401

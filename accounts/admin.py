from django.contrib import admin, messages

from accounts.emails import email_delivery_resend
from accounts.models import EmailDelivery, Notification, User
from accounts.roles import Role
from accounts.services import user_set_role
from vaultpay.admin_mixins import ReadOnlyAdminMixin
from vaultpay.errors import VaultPayError


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    # Never the password hash, never PIN data: moderators read users, they do not see credentials.
    list_display = ["email", "first_name", "last_name", "role", "is_active", "is_staff", "date_joined"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fields = ["email", "first_name", "last_name", "role", "is_active", "is_staff", "date_joined", "last_login"]
    # Role, staff flag and groups move together, audited, through the role actions only.
    readonly_fields = ["email", "role", "is_staff", "date_joined", "last_login"]
    ordering = ["-date_joined"]
    actions = ["make_user", "make_moderator", "make_admin", "make_super_admin"]

    def has_add_permission(self, request) -> bool:
        return False  # people sign up through the API

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # accounts hold ledger history; deactivate instead

    def has_manage_moderators_permission(self, request) -> bool:
        return request.user.has_perm("accounts.manage_moderators")

    def has_manage_admins_permission(self, request) -> bool:
        return request.user.has_perm("accounts.manage_admins")

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

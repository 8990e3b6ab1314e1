from django.contrib import admin, messages

from accounts.emails import email_delivery_resend
from accounts.models import EmailDelivery, Notification, User
from vaultpay.admin_mixins import ReadOnlyAdminMixin


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    # Never the password hash: moderators read users, they do not see credentials.
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups"]
    search_fields = ["email", "first_name", "last_name"]
    fields = ["email", "first_name", "last_name", "is_active", "is_staff", "groups", "date_joined", "last_login"]
    readonly_fields = ["email", "date_joined", "last_login"]
    ordering = ["-date_joined"]

    def has_add_permission(self, request) -> bool:
        return False  # people sign up through the API


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

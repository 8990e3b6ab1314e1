from django.contrib import admin

from accounts.models import User


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

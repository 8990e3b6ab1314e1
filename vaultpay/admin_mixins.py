"""Admin building blocks shared by every app's console pages."""


class ReadOnlyAdminMixin:
    """Nobody, at any role, adds, edits or deletes these rows through the admin."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

"""The four roles and what each may do: the one place that maps a role to Django permissions.

Each role is a Django group holding exactly these permissions (by "app_label.codename"); the groups
are kept in step by accounts.roles_sync after every migrate. A permission whose app is not installed
yet is skipped, so any app can add its codenames here.
"""

from django.db import models


class Role(models.TextChoices):
    USER = "user", "User"
    MODERATOR = "moderator", "Moderator"
    ADMIN = "admin", "Admin"
    SUPER_ADMIN = "super_admin", "Super admin"


# Moderators read users (the admin shows no password hash and no PIN data), wallets, the ledger and
# the audit log, and freeze or unfreeze wallets.
_MODERATOR = {
    "accounts.view_user",
    "wallets.view_wallet",
    "wallets.freeze_wallet",
    "ledger.view_transaction",
    "ledger.view_entry",
    "ledger.view_hold",
    "audit.view_auditevent",
    # KYC review: read the queue, open the decrypted documents, approve or reject.
    "kyc.view_kycsubmission",
    "kyc.view_kycdocument",
    "kyc.review_kycsubmission",
    "kyc.view_kycduplicateattempt",
    # Disputes and the email/notification layer
    "ledger.view_dispute",
    "ledger.review_dispute",
    "ledger.reverse_dispute",
    "accounts.view_emaildelivery",
}
# Admins also close wallets, make users moderators (or moderators users again), resend emails,
# deactivate users and override one wallet's spending limits.
_ADMIN = _MODERATOR | {
    "wallets.close_wallet",
    "accounts.manage_moderators",
    "accounts.resend_emaildelivery",
    "accounts.view_notification",
    "accounts.deactivate_user",
    "wallets.override_wallet_limits",
}
# Super admins are Django superusers; the group still lists their rights explicitly.
_SUPER_ADMIN = _ADMIN | {"accounts.manage_admins"}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.USER: frozenset(),
    Role.MODERATOR: frozenset(_MODERATOR),
    Role.ADMIN: frozenset(_ADMIN),
    Role.SUPER_ADMIN: frozenset(_SUPER_ADMIN),
}

STAFF_ROLES = frozenset({Role.MODERATOR, Role.ADMIN, Role.SUPER_ADMIN})

# Who may give or take away each role: the permission the acting user needs for the old and the new role.
ROLE_MANAGED_BY: dict[str, str] = {
    Role.USER: "accounts.manage_moderators",
    Role.MODERATOR: "accounts.manage_moderators",
    Role.ADMIN: "accounts.manage_admins",
    Role.SUPER_ADMIN: "accounts.manage_admins",
}

"""The four roles and what each may do: the one place that maps a role to Django permissions.

Each role is a Django group holding exactly these permissions (by "app_label.codename").
"""

from django.db import models


class Role(models.TextChoices):
    USER = "user", "User"
    MODERATOR = "moderator", "Moderator"
    ADMIN = "admin", "Admin"
    SUPER_ADMIN = "super_admin", "Super admin"


_MODERATOR = {
    "accounts.view_user",
    "wallets.view_wallet",
    "ledger.view_transaction",
    "ledger.view_entry",
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
_ADMIN = _MODERATOR | {"accounts.resend_emaildelivery", "accounts.view_notification"}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.USER: frozenset(),
    Role.MODERATOR: frozenset(_MODERATOR),
    Role.ADMIN: frozenset(_ADMIN),
    Role.SUPER_ADMIN: frozenset(_ADMIN),
}

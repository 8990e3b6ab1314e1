import factory
from django.contrib.auth.models import Permission

from accounts.tests.factories import UserFactory

MODERATOR_PERMISSIONS = (
    "kyc.view_kycsubmission",
    "kyc.view_kycdocument",
    "kyc.review_kycsubmission",
    "wallets.view_wallet",
    "ledger.view_transaction",
    "ledger.view_dispute",
)


def permissions_for(*labels: str) -> list[Permission]:
    found = []
    for label in labels:
        app_label, codename = label.split(".")
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


class StaffUserFactory(UserFactory):
    """A staff user holding exactly `permissions` (labels such as "kyc.view_kycdocument")."""

    is_staff = True

    @factory.post_generation
    def permissions(obj, create, extracted, **kwargs):
        if create:
            obj.user_permissions.set(permissions_for(*(MODERATOR_PERMISSIONS if extracted is None else extracted)))

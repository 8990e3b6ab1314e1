"""Login and logout facts for the audit log, and the login's IP bookkeeping."""

from django.db import transaction

from accounts.models import User
from accounts.services.ip_trust import ip_record_login
from audit.models import AuditEventType
from audit.services import audit_record


@transaction.atomic
def auth_login_succeeded(*, user: User, ip: str) -> None:
    known = ip_record_login(user=user, ip=ip)
    audit_record(
        event_type=AuditEventType.LOGIN_SUCCEEDED, actor=user, target=user, new_values={"ip_status": known.status}
    )


@transaction.atomic
def auth_login_failed(*, email: str) -> None:
    # The target is the account tried, when it exists; the email itself is not kept (it may be a typo
    # of someone else's address, or a list being sprayed).
    user = User.objects.filter(email=User.objects.normalize_email(email)).first()
    audit_record(event_type=AuditEventType.LOGIN_FAILED, target=user)


@transaction.atomic
def auth_logged_out(*, user: User) -> None:
    audit_record(event_type=AuditEventType.LOGGED_OUT, actor=user, target=user)

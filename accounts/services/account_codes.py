"""Single-use codes emailed to the user: email verification and password reset.

A code is six digits derived by HMAC from its row's random nonce under a key derived from
SECRET_KEY. The database keeps the nonce, never the code, and the email task is handed only the
row's id: neither the database nor the broker ever holds a code in clear. Wrong tries are counted
on the row and the CODE_MAX_ATTEMPTS-th retires it; a new code for the same purpose retires the
older ones.
"""

import hmac
import secrets
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.exceptions import AccountCodeInvalid
from accounts.models import AccountCode, AccountCodePurpose, User
from audit.models import AuditEventType
from audit.services import audit_record

CODE_TTL = {
    AccountCodePurpose.VERIFY_EMAIL: timedelta(hours=24),
    AccountCodePurpose.RESET_PASSWORD: timedelta(minutes=30),
}
CODE_MAX_ATTEMPTS = 5
_CODE_KEY_SALT = "vaultpay.accounts.account-code"


def account_code_value(code: AccountCode) -> str:
    """The six digits emailed for this row: recomputed from the nonce, never stored."""
    digest = salted_hmac(_CODE_KEY_SALT, f"{code.purpose}:{code.nonce}", algorithm="sha256").hexdigest()
    return f"{int(digest, 16) % 1_000_000:06d}"


@transaction.atomic(savepoint=False)
def account_code_issue(*, user: User, purpose: AccountCodePurpose, email: str) -> AccountCode:
    """Create a code for `purpose`, retire the user's older ones, email it after commit."""
    from accounts.tasks import send_account_code_email  # tasks import the models; keep the import graph acyclic

    now = timezone.now()
    AccountCode.objects.filter(user=user, purpose=purpose, used_at__isnull=True).update(used_at=now)
    code = AccountCode.objects.create(
        user=user, purpose=purpose, email=email, nonce=secrets.token_hex(16), expires_at=now + CODE_TTL[purpose]
    )
    transaction.on_commit(lambda: send_account_code_email.delay(code.pk), robust=True)
    return code


def account_code_live(*, user: User, purpose: AccountCodePurpose) -> AccountCode | None:
    return (
        AccountCode.objects.filter(user=user, purpose=purpose, used_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )


class _WrongCode(Exception):
    def __init__(self, code_id: int):
        self.code_id = code_id


def account_code_redeem(
    *, user: User, purpose: AccountCodePurpose, code: str, apply: Callable[[AccountCode], None]
) -> None:
    """Use the user's live code and run `apply(row)` in the same transaction. Raises AccountCodeInvalid.

    A wrong code is counted in a transaction of its own, after the attempt rolled back, so the count
    survives the error; the row lock makes concurrent tries of one code run one at a time.
    """
    try:
        with transaction.atomic():
            row = (
                AccountCode.objects.select_for_update()
                .filter(user=user, purpose=purpose, used_at__isnull=True, expires_at__gt=timezone.now())
                .order_by("-created_at")
                .first()
            )
            if row is None:
                raise AccountCodeInvalid()
            if not isinstance(code, str) or not hmac.compare_digest(account_code_value(row), code.strip()):
                raise _WrongCode(row.pk)
            row.used_at = timezone.now()
            row.save(update_fields=["used_at"])
            apply(row)
    except _WrongCode as wrong:
        _account_code_count_failure(user=user, code_id=wrong.code_id)
        raise AccountCodeInvalid() from None


@transaction.atomic
def _account_code_count_failure(*, user: User, code_id: int) -> None:
    AccountCode.objects.filter(pk=code_id, used_at__isnull=True).update(
        failed_attempts=F("failed_attempts") + 1,
        used_at=Case(When(failed_attempts__gte=CODE_MAX_ATTEMPTS - 1, then=Value(timezone.now())), default=None),
    )
    audit_record(event_type=AuditEventType.ACCOUNT_CODE_FAILED, actor=user, target=user, new_values={"code": code_id})

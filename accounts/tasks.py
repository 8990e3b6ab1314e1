"""Account emails, sent after the change that triggers them commits.

The raw single-use token travels in the task arguments because the database keeps only its hash;
it is valid for minutes and useless without the account it belongs to.
"""

from celery import shared_task
from django.conf import settings

from accounts.emails import send_templated_email
from accounts.models import KnownIp, PinResetToken

_RETRY = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}


@shared_task(**_RETRY)
def send_pin_reset_email(reset_id: int, token: str) -> None:
    reset = PinResetToken.objects.select_related("user").filter(pk=reset_id, used_at__isnull=True).first()
    if reset is None:
        return  # already used or gone: nothing worth sending
    send_templated_email(
        to=reset.user.email,
        subject="Your VaultPay PIN reset code",
        template="pin_reset",
        context={"user": reset.user, "token": token, "expires_at": reset.expires_at},
    )


@shared_task(**_RETRY)
def send_new_ip_email(known_ip_id: int, token: str, ip: str) -> None:
    known = KnownIp.objects.select_related("user").filter(pk=known_ip_id).first()
    if known is None:
        return
    link = f"{settings.PUBLIC_BASE_URL}/api/v1/security/ips/confirm?token={token}"
    send_templated_email(
        to=known.user.email,
        subject="New sign-in to VaultPay: confirm it was you",
        template="new_ip",
        context={
            "user": known.user,
            "link": link,
            "ip": ip,
            "seen_at": known.last_seen,
            "hold_until": known.hold_until,
        },
    )

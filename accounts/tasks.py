import logging
import random
from datetime import timedelta

from celery import shared_task
from django.conf import settings

from accounts.emails import email_deliveries_requeue_stale, email_delivery_send, email_send_secret
from accounts.exceptions import EmailProviderError
from accounts.models import AccountCode, AccountCodePurpose, KnownIp, PinResetToken
from accounts.webhooks.tasks import deliver_webhook, retry_due_webhooks  # noqa: F401  (registers them with the worker)
from vaultpay.task_secrets import TaskSecretUnreadable, task_secret_open

logger = logging.getLogger(__name__)

# Backoff between provider retries: 30 s, 1 min, 2 min, ... capped at 30 min, with jitter so a
# provider outage does not end in a thundering herd.
_RETRY_BASE_SECONDS = 30
_RETRY_MAX_SECONDS = 30 * 60


@shared_task(bind=True, max_retries=8, acks_late=True, reject_on_worker_lost=True)
def send_email_delivery(self, delivery_id: int) -> str:
    """Send one EmailDelivery; safe to run twice (the row says whether it already went out)."""
    outcome = email_delivery_send(delivery_id=delivery_id)
    if outcome.status == "failed":
        countdown = min(_RETRY_MAX_SECONDS, _RETRY_BASE_SECONDS * 2**self.request.retries)
        raise self.retry(exc=EmailProviderError(outcome.error), countdown=countdown + random.randint(0, 10))  # noqa: S311
    return outcome.status


@shared_task
def requeue_stale_email_deliveries() -> int:
    """Scheduled by Celery beat (CELERY_BEAT_SCHEDULE): emails whose task never ran go out after all."""
    return email_deliveries_requeue_stale(older_than=timedelta(minutes=15))


# The single-use secret reaches the task sealed (vaultpay.task_secrets): the database keeps only
# its hash, and the broker only ciphertext bound to the row.
_SECRET_EMAIL_RETRY = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}
# The purposes the sealed arguments are bound to.
PIN_RESET_PURPOSE = "pin-reset-email"
NEW_IP_PURPOSE = "new-ip-email"


@shared_task(**_SECRET_EMAIL_RETRY)
def send_pin_reset_email(reset_id: int, sealed: str) -> None:
    reset = PinResetToken.objects.select_related("user").filter(pk=reset_id, used_at__isnull=True).first()
    if reset is None:
        return  # already used or gone: nothing worth sending
    secret = _open(sealed, purpose=PIN_RESET_PURPOSE, object_id=reset_id)
    if secret is None:
        return
    email_send_secret(
        recipient=reset.user, template="pin_reset", context={"token": secret["token"], "expires_at": reset.expires_at}
    )


@shared_task(**_SECRET_EMAIL_RETRY)
def send_new_ip_email(known_ip_id: int, sealed: str) -> None:
    known = KnownIp.objects.select_related("user").filter(pk=known_ip_id).first()
    if known is None:
        return
    secret = _open(sealed, purpose=NEW_IP_PURPOSE, object_id=known_ip_id)
    if secret is None:
        return
    # A page with a button (a POST): a mail scanner that prefetches the link confirms nothing.
    link = f"{settings.PUBLIC_BASE_URL}/security/ips/confirm?token={secret['token']}"
    email_send_secret(
        recipient=known.user,
        template="new_ip",
        context={"confirm_url": link, "ip": secret["ip"], "when": known.last_seen, "hold_until": known.hold_until},
    )


def _open(sealed: str, *, purpose: str, object_id) -> dict | None:
    try:
        return task_secret_open(sealed, purpose=purpose, object_id=object_id)
    except TaskSecretUnreadable:
        # Tampered with, or sealed under a secret key since changed: retrying cannot help.
        logger.warning("unreadable sealed %s argument for %s; not sent", purpose, object_id)
        return None


_ACCOUNT_CODE_TEMPLATES = {
    AccountCodePurpose.VERIFY_EMAIL: "email_verify",
    AccountCodePurpose.RESET_PASSWORD: "password_reset",
}


@shared_task(**_SECRET_EMAIL_RETRY)
def send_account_code_email(code_id: int) -> None:
    """Email a verification or password-reset code. Only the row id travels through the broker: the
    code is recomputed here from the row (accounts.services.account_codes)."""
    from accounts.services.account_codes import account_code_value  # services import this module

    code = AccountCode.objects.select_related("user").filter(pk=code_id, used_at__isnull=True).first()
    if code is None:
        return  # already used or replaced: nothing worth sending
    email_send_secret(
        recipient=code.user,
        template=_ACCOUNT_CODE_TEMPLATES[code.purpose],
        context={"code": account_code_value(code), "expires_at": code.expires_at},
        to_address=code.email,
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def start_password_reset(email: str, ip_hash: str) -> None:
    """The lookup behind POST /auth/password/reset, off the request. The address is no secret; the code
    it may lead to is made here and travels as a row id like every other (send_account_code_email)."""
    from accounts.services.passwords import password_reset_issue  # services import this module

    password_reset_issue(email=email, ip_hash=ip_hash)

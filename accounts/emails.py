"""Transactional email for every app: queued once per (event, recipient), sent by a Celery task.

Other apps call `email_enqueue` inside their own database transaction. The delivery row commits or
rolls back with their change, and the send task is dispatched with `transaction.on_commit`, so a
rolled-back change sends nothing. The task locks the row while it talks to the provider: a
redelivered or duplicated task waits, then finds the row `sent` and sends nothing twice.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import EmailDelivery, EmailDeliveryStatus, User
from audit.models import AuditEventType
from audit.services import audit_record

logger = logging.getLogger(__name__)

# Each name has emails/<name>_subject.txt, emails/<name>.txt and emails/<name>.html, all built on
# emails/base.txt and emails/base.html.
EMAIL_TEMPLATES = frozenset(
    {
        "deposit",
        "withdrawal",
        "transfer_sent",
        "transfer_received",
        "reversal",
        "refund",
        "dispute_opened",
        "dispute_under_review",
        "dispute_decided",
        "pin_reset",
        "new_ip",
        "kyc_decision",
        "email_verify",
        "password_reset",
        "webhook_disabled",
    }
)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def email_render(*, template: str, context: dict, recipient: User) -> RenderedEmail:
    if template not in EMAIL_TEMPLATES:
        raise ValueError(f"unknown email template {template!r}")
    full_context = {"recipient_name": recipient.first_name or recipient.email, "site_name": "VaultPay"} | context
    subject = render_to_string(f"emails/{template}_subject.txt", full_context)
    return RenderedEmail(
        # A header must be one line, whatever the template's whitespace.
        subject=" ".join(subject.split()),
        text=render_to_string(f"emails/{template}.txt", full_context),
        html=render_to_string(f"emails/{template}.html", full_context),
    )


@transaction.atomic(savepoint=False)
def email_enqueue(*, event_key: str, recipient: User, template: str, context: dict) -> EmailDelivery:
    """Queue one email for `recipient` about `event_key`; a second call for the same pair is a no-op.

    `context` must be JSON-serialisable: it is stored on the row and rendered when the task sends.
    """
    if template not in EMAIL_TEMPLATES:
        raise ValueError(f"unknown email template {template!r}")
    delivery, created = EmailDelivery.objects.get_or_create(
        event_key=event_key,
        recipient=recipient,
        defaults={"to_address": recipient.email, "template": template, "context": context},
    )
    if created:
        _dispatch_on_commit(delivery.pk)
    return delivery


def _dispatch_on_commit(delivery_id: int) -> None:
    from accounts.tasks import send_email_delivery  # the task module imports this one

    # robust: a broker outage is logged, never turned into an error for the change that already committed.
    transaction.on_commit(lambda: send_email_delivery.delay(delivery_id), robust=True)


@dataclass(frozen=True)
class SendOutcome:
    status: str  # "sent", "already_sent", "missing" or "failed"
    error: str = ""


def email_delivery_send(*, delivery_id: int) -> SendOutcome:
    """Send a queued email unless it already went out; record the attempt either way.

    Never raises for provider errors: the failure is stored on the row and returned, and the
    caller (the Celery task) decides whether to retry.
    """
    with transaction.atomic():
        delivery = (
            EmailDelivery.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return SendOutcome("missing")
        if delivery.status == EmailDeliveryStatus.SENT:
            return SendOutcome("already_sent")
        delivery.attempts += 1
        try:
            message_id = _send(delivery)
        # Any provider failure (HTTP, SMTP, DNS, a template typo) is recorded, never propagated into money code.
        except Exception as exc:
            delivery.status = EmailDeliveryStatus.FAILED
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            delivery.save(update_fields=["status", "attempts", "last_error", "updated_at"])
            logger.warning("email %s to recipient %s failed: %s", delivery.pk, delivery.recipient_id, exc)
            return SendOutcome("failed", delivery.last_error)
        delivery.status = EmailDeliveryStatus.SENT
        delivery.sent_at = timezone.now()
        delivery.last_error = ""
        delivery.provider_message_id = message_id[:255]
        delivery.save(
            update_fields=["status", "attempts", "last_error", "sent_at", "provider_message_id", "updated_at"]
        )
        return SendOutcome("sent")


def _send(delivery: EmailDelivery) -> str:
    rendered = email_render(template=delivery.template, context=delivery.context, recipient=delivery.recipient)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.to_address],
        headers={"X-VaultPay-Delivery": str(delivery.pk)},
    )
    message.attach_alternative(rendered.html, "text/html")
    message.send(fail_silently=False)
    status = getattr(message, "anymail_status", None)  # set by django-anymail backends only
    return (status.message_id or "") if status is not None else ""


@transaction.atomic
def email_delivery_resend(*, delivery_id: int, actor) -> EmailDelivery:
    """Queue an email again (the admin's resend action): a failed one, or a sent one the user lost."""
    delivery = EmailDelivery.objects.select_for_update().get(pk=delivery_id)
    old_status = delivery.status
    delivery.status = EmailDeliveryStatus.PENDING
    delivery.save(update_fields=["status", "updated_at"])
    audit_record(
        event_type=AuditEventType.EMAIL_RESENT,
        actor=actor,
        target=delivery,
        old_values={"status": old_status},
        new_values={"status": delivery.status},
    )
    _dispatch_on_commit(delivery.pk)
    return delivery


def email_deliveries_requeue_stale(*, older_than: timedelta) -> int:
    """Dispatch again every email still pending after `older_than` (its task was lost, e.g. the
    broker was down at commit time). Harmless for one still queued: the row is sent only once."""
    cutoff = timezone.now() - older_than
    stale = list(
        EmailDelivery.objects.filter(status=EmailDeliveryStatus.PENDING, updated_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:1000]
    )
    from accounts.tasks import send_email_delivery

    for delivery_id in stale:
        send_email_delivery.delay(delivery_id)
    return len(stale)


def email_send_secret(*, recipient: User, template: str, context: dict, to_address: str | None = None) -> None:
    """Send an email that carries a single-use secret (a PIN-reset code, an IP-confirmation link).

    `to_address` defaults to the recipient's login; a new address being verified is the exception.

    Unlike `email_enqueue`, nothing is stored: an EmailDelivery row keeps its context, and the
    database must never hold these secrets in clear (it keeps only their hashes). The calling task
    owns the retries; a lost message is recovered by asking again.
    """
    rendered = email_render(template=template, context=context, recipient=recipient)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to_address or recipient.email],
    )
    message.attach_alternative(rendered.html, "text/html")
    message.send()

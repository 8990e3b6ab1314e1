"""The email layer: every template renders, one delivery per (event, recipient), failures recorded."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.emails import (
    EMAIL_TEMPLATES,
    email_deliveries_requeue_stale,
    email_delivery_resend,
    email_delivery_send,
    email_enqueue,
    email_render,
)
from accounts.models import EmailDelivery, EmailDeliveryStatus
from accounts.tasks import send_email_delivery
from audit.models import AuditEvent, AuditEventType

pytestmark = pytest.mark.django_db

SAMPLE_CONTEXT = {
    "amount": "12.50",
    "currency": "USD",
    "reference": "TXN-ABC",
    "counterparty": "Bob B.",
    "balance": "87.50",
    "wallet": "VPY-ABC123",
    "created_at": "2026-01-01 10:00 UTC",
    "dispute_id": "d-1",
    "deadline": "2026-01-08",
    "decision_label": "Rejected",
    "reset_url": "https://vaultpay.example.com/pin/reset?t=x",
    "confirm_url": "https://vaultpay.example.com/ip/confirm?t=y",
    "decision": "approved",
    "tier": "verified",
    "expires_minutes": 30,
    "when": "2026-01-01 10:00 UTC",
    "dispute_window_days": 60,
}


@pytest.mark.parametrize("template", sorted(EMAIL_TEMPLATES))
def test_every_template_renders_text_and_html_on_the_base_layout(template, user):
    rendered = email_render(template=template, context=SAMPLE_CONTEXT, recipient=user)

    assert rendered.subject and "\n" not in rendered.subject and "{" not in rendered.subject
    assert f"Hello {user.first_name}" in rendered.text
    assert "never share your password" in rendered.text
    assert rendered.html.startswith("<!doctype html>") and f"Hello {user.first_name}" in rendered.html
    assert "{{" not in rendered.text + rendered.html


def test_html_escapes_user_supplied_text(user):
    context = SAMPLE_CONTEXT | {"description": "<script>alert(1)</script>"}
    rendered = email_render(template="transfer_received", context=context, recipient=user)
    assert "<script>" not in rendered.html
    assert "<script>alert(1)</script>" in rendered.text  # plain text is not HTML


def test_enqueue_is_once_per_event_and_recipient(user, other_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = email_enqueue(event_key="txn:1:deposit", recipient=user, template="deposit", context=SAMPLE_CONTEXT)
        again = email_enqueue(event_key="txn:1:deposit", recipient=user, template="deposit", context=SAMPLE_CONTEXT)
        email_enqueue(event_key="txn:1:deposit", recipient=other_user, template="deposit", context=SAMPLE_CONTEXT)

    assert first.pk == again.pk
    assert len(callbacks) == 2
    assert EmailDelivery.objects.filter(status=EmailDeliveryStatus.SENT).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([user.email, other_user.email])
    message = mail.outbox[0]
    assert message.subject == "Deposit of 12.50 USD received"
    assert message.alternatives[0].mimetype == "text/html"


def test_redelivered_task_sends_nothing_twice(user):
    delivery = email_enqueue(event_key="e", recipient=user, template="deposit", context=SAMPLE_CONTEXT)

    assert email_delivery_send(delivery_id=delivery.pk).status == "sent"
    assert send_email_delivery.apply(args=[delivery.pk]).get() == "already_sent"

    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (EmailDeliveryStatus.SENT, 1)


def test_unknown_delivery_is_ignored():
    assert email_delivery_send(delivery_id=987654).status == "missing"


def test_unknown_template_is_a_programming_error(user):
    with pytest.raises(ValueError, match="unknown email template"):
        email_enqueue(event_key="e", recipient=user, template="nope", context={})


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("provider down")


def test_provider_failure_is_recorded_and_retried(user, settings):
    settings.EMAIL_BACKEND = "accounts.tests.test_services_emails.FailingBackend"
    delivery = email_enqueue(event_key="e", recipient=user, template="deposit", context=SAMPLE_CONTEXT)

    result = send_email_delivery.apply(args=[delivery.pk])

    delivery.refresh_from_db()
    assert result.failed()
    assert delivery.status == EmailDeliveryStatus.FAILED
    assert delivery.attempts == send_email_delivery.max_retries + 1  # eager mode retries in-process
    assert delivery.last_error == "ConnectionError: provider down"


def test_resend_sends_a_failed_email_and_is_audited(user, admin_user, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "accounts.tests.test_services_emails.FailingBackend"
    delivery = email_enqueue(event_key="e", recipient=user, template="deposit", context=SAMPLE_CONTEXT)
    email_delivery_send(delivery_id=delivery.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    with django_capture_on_commit_callbacks(execute=True):
        email_delivery_resend(delivery_id=delivery.pk, actor=admin_user)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (EmailDeliveryStatus.SENT, 2, "")
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(event_type=AuditEventType.EMAIL_RESENT, actor=admin_user).exists()


def test_stale_pending_email_is_dispatched_again_once(user):
    delivery = email_enqueue(event_key="e", recipient=user, template="deposit", context=SAMPLE_CONTEXT)
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        assert email_deliveries_requeue_stale(older_than=timedelta(minutes=15)) == 1
        assert email_deliveries_requeue_stale(older_than=timedelta(minutes=15)) == 0  # now sent

    delivery.refresh_from_db()
    assert delivery.status == EmailDeliveryStatus.SENT
    assert len(mail.outbox) == 1

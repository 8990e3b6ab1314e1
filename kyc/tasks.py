from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from kyc.models import KycSubmission

TEMPLATE = "emails/kyc_decision"


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_kyc_decision_email(submission_id: str) -> None:
    """Tell the user their KYC submission was approved or rejected (with the reason)."""
    submission = KycSubmission.objects.select_related("user").get(pk=submission_id)
    context = {"submission": submission, "user": submission.user, "approved": submission.status == "approved"}
    subject = "Your identity is verified" if context["approved"] else "We could not verify your identity"
    deliver_email(
        subject=f"VaultPay: {subject}",
        to=submission.user.email,
        text=render_to_string(f"{TEMPLATE}.txt", context),
        html=render_to_string(f"{TEMPLATE}.html", context),
    )


def deliver_email(*, subject: str, to: str, text: str, html: str) -> None:
    # The single send call: the only line to change to route KYC mail through a shared email layer.
    message = EmailMultiAlternatives(subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()

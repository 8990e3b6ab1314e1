"""In-app notifications: written beside the email for the same event, read through the API."""

from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from accounts.emails import email_enqueue, email_render
from accounts.exceptions import NotificationNotFound
from accounts.models import Notification, User


@transaction.atomic(savepoint=False)
def user_notify(*, user: User, event_key: str, kind: str, context: dict, email: bool = True) -> Notification:
    """Tell `user` about an event in the app and, unless `email=False`, by email too.

    `kind` names the email template; its subject becomes the notification's title, so both
    channels say the same thing. Idempotent per (user, event_key).
    """
    rendered = email_render(template=kind, context=context, recipient=user)
    notification, _created = Notification.objects.get_or_create(
        user=user,
        event_key=event_key,
        defaults={"kind": kind, "title": rendered.subject[:200], "body": context.get("summary", ""), "data": context},
    )
    if email:
        email_enqueue(event_key=event_key, recipient=user, template=kind, context=context)
    return notification


def notifications_for_user(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, unread first, each group newest first; only the unread ones if asked."""
    unread_first = Case(When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())
    notifications = Notification.objects.filter(user=user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by(unread_first, "-id")


def notifications_unread_count(*, user: User) -> int:
    """How many of the user's notifications are unread (notification_user_unread_idx answers it)."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@transaction.atomic
def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read. Raises NotificationNotFound for anyone else's."""
    notification = Notification.objects.filter(user=user, pk=notification_id).first()
    if notification is None:
        raise NotificationNotFound()
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notification_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())

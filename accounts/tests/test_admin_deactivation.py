"""Deactivating a user in the console: sessions revoked, money movement refused, reversible, audited."""

import pytest
from django.test import Client

from accounts.roles import Role
from accounts.services import user_set_role
from accounts.tests.conftest import post_money
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from audit.models import AuditEvent, AuditEventType
from ledger.models import Transaction

pytestmark = pytest.mark.django_db


def console(role: Role) -> tuple[Client, object]:
    staff = UserFactory()
    user_set_role(user=staff, role=role)
    client = Client()
    client.force_login(staff)
    return client, staff


def sign_in(api_client, user) -> dict:
    response = api_client.post("/api/v1/auth/token", {"email": user.email, "password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 200
    return response.json()


def test_deactivation_revokes_sessions_and_refuses_money_until_reactivated(api_client, user, wallet):
    tokens = sign_in(api_client, user)
    client, admin = console(Role.ADMIN)

    client.post(f"/admin/accounts/user/{user.pk}/deactivate/", {"reason": "Account takeover reported"})

    user.refresh_from_db()
    assert (user.is_active, user.deactivation_reason) == (False, "Account takeover reported")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    refused = post_money(api_client, "deposit", {"amount": "5.00", "currency": "USD"})
    assert refused.status_code == 401
    assert Transaction.objects.count() == 0
    api_client.credentials()
    assert (
        api_client.post("/api/v1/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json").status_code == 401
    )
    event = AuditEvent.objects.get(event_type=AuditEventType.USER_DEACTIVATED, target_id=str(user.pk))
    assert event.actor == admin and event.new_values["reason"] == "Account takeover reported"
    assert event.new_values["sessions_revoked"] >= 1

    client.post(f"/admin/accounts/user/{user.pk}/reactivate/", {"reason": "Owner verified by phone"})

    user.refresh_from_db()
    assert user.is_active and user.deactivation_reason == ""
    fresh = sign_in(api_client, user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {fresh['access']}")
    assert post_money(api_client, "deposit", {"amount": "5.00", "currency": "USD"}).status_code == 201
    assert AuditEvent.objects.filter(event_type=AuditEventType.USER_REACTIVATED, actor=admin).count() == 1


def test_a_moderator_cannot_deactivate_and_nobody_deactivates_themselves(user):
    moderator_console, _ = console(Role.MODERATOR)
    assert moderator_console.post(f"/admin/accounts/user/{user.pk}/deactivate/", {"reason": "x"}).status_code == 403

    admin_console, admin = console(Role.ADMIN)
    admin_console.post(f"/admin/accounts/user/{admin.pk}/deactivate/", {"reason": "oops"})

    user.refresh_from_db()
    admin.refresh_from_db()
    assert user.is_active and admin.is_active
    assert not AuditEvent.objects.filter(event_type=AuditEventType.USER_DEACTIVATED).exists()


def test_deactivation_needs_a_reason(user):
    client, _ = console(Role.ADMIN)

    client.post(f"/admin/accounts/user/{user.pk}/deactivate/", {"reason": ""})

    user.refresh_from_db()
    assert user.is_active

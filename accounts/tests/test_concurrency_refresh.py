"""N concurrent refreshes of one token: exactly one new pair (PostgreSQL, real threads)."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import AuthSession
from accounts.tests.conftest import login
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from audit.models import AuditEvent, AuditEventType

THREADS = 10


@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_of_one_token_yield_exactly_one_pair():
    user = UserFactory()
    pair = login(APIClient(), user.email, DEFAULT_PASSWORD).json()
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    lock = threading.Lock()

    def refresh():
        try:
            barrier.wait()
            response = APIClient().post("/api/v1/auth/token/refresh", {"refresh": pair["refresh"]}, format="json")
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] + [401] * (THREADS - 1)
    # The losers presented a token already rotated: that is reuse, and it ends the family.
    session = AuthSession.objects.get(user=user)
    assert session.revoked_reason == "refresh_reused"
    assert AuditEvent.objects.filter(event_type=AuditEventType.REFRESH_TOKEN_REUSED).count() == 1

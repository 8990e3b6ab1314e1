"""Notifications: unread first, paginated, and nobody sees or marks anyone else's."""

import pytest

from accounts.models import Notification
from accounts.notifications import user_notify
from conftest import client_for

pytestmark = pytest.mark.django_db


def notify(user, n: int):
    context = {"amount": "1.00", "currency": "USD", "reference": f"TXN-{n}", "summary": f"Deposit {n}"}
    return user_notify(user=user, event_key=f"txn:{n}:deposit", kind="deposit", context=context, email=False)


def test_list_is_own_unread_first_and_paginated(user, other_user):
    first, second, third = notify(user, 1), notify(user, 2), notify(user, 3)
    notify(other_user, 4)
    client_for(user).post(f"/api/v1/notifications/{third.pk}/read")

    body = client_for(user).get("/api/v1/notifications?limit=2").json()

    assert body["count"] == 3
    assert [n["id"] for n in body["results"]] == [second.pk, first.pk]
    assert body["results"][0] | {"id": 0, "created_at": None} == {
        "id": 0,
        "kind": "deposit",
        "title": "Deposit of 1.00 USD received",
        "body": "Deposit 2",
        "data": {"amount": "1.00", "currency": "USD", "reference": "TXN-2", "summary": "Deposit 2"},
        "read": False,
        "read_at": None,
        "created_at": None,
    }
    page2 = client_for(user).get(body["next"]).json()
    assert [(n["id"], n["read"]) for n in page2["results"]] == [(third.pk, True)]


def test_mark_read_is_scoped_to_the_owner(user, other_user):
    mine = notify(user, 1)

    response = client_for(other_user).post(f"/api/v1/notifications/{mine.pk}/read")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert Notification.objects.get(pk=mine.pk).read_at is None
    ok = client_for(user).post(f"/api/v1/notifications/{mine.pk}/read")
    assert ok.status_code == 200 and ok.json()["read"] is True


def test_read_all_touches_only_own(user, other_user):
    notify(user, 1), notify(user, 2), notify(other_user, 3)

    response = client_for(user).post("/api/v1/notifications/read-all")

    assert response.json() == {"marked_read": 2}
    assert Notification.objects.filter(user=other_user, read_at__isnull=True).count() == 1
    assert client_for(user).post("/api/v1/notifications/read-all").json() == {"marked_read": 0}


def test_anonymous_gets_401(api_client):
    assert api_client.get("/api/v1/notifications").status_code == 401


def test_unread_count_counts_only_the_callers_unread(user, other_user):
    first, _second = notify(user, 1), notify(user, 2)
    notify(other_user, 3)
    client_for(user).post(f"/api/v1/notifications/{first.pk}/read")
    response = client_for(user).get("/api/v1/notifications/unread-count")
    assert response.status_code == 200
    assert response.json() == {"count": 1}
    client_for(user).post("/api/v1/notifications/read-all")
    assert client_for(user).get("/api/v1/notifications/unread-count").json() == {"count": 0}


def test_unread_only_lists_the_unread(user, other_user):
    first, second, third = notify(user, 1), notify(user, 2), notify(user, 3)
    notify(other_user, 4)
    client_for(user).post(f"/api/v1/notifications/{second.pk}/read")
    body = client_for(user).get("/api/v1/notifications?unread_only=true").json()
    assert body["count"] == 2
    assert [n["id"] for n in body["results"]] == [third.pk, first.pk]
    everything = client_for(user).get("/api/v1/notifications?unread_only=false").json()
    assert everything["count"] == 3


@pytest.mark.parametrize("value", ["maybe", ""])
def test_unread_only_must_be_a_boolean(user, value):
    response = client_for(user).get(f"/api/v1/notifications?unread_only={value}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_unread_count_needs_a_signed_in_user(api_client):
    assert api_client.get("/api/v1/notifications/unread-count").status_code == 401

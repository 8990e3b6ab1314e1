"""Fixtures for money, dispute and receipt tests."""

import pytest
from django.contrib.auth.models import Permission

from accounts.tests.factories import UserFactory
from conftest import new_key, usd
from ledger.idempotency import idempotency_request_build
from ledger.services import wallet_deposit, wallet_transfer


def grant(user, *codenames: str):
    """Give a staff user Django permissions directly ("ledger.review_dispute", ...)."""
    for name in codenames:
        app_label, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return type(user).objects.get(pk=user.pk)  # a fresh instance: has_perm caches permissions


def fund(user, minor: int):
    idem = idempotency_request_build(user=user, key=new_key(), operation="deposit", payload={"amount": minor})
    return wallet_deposit(user=user, amount=usd(minor), idempotency=idem).transaction


def pay(sender, to_wallet, minor: int):
    idem = idempotency_request_build(user=sender, key=new_key(), operation="transfer", payload={"amount": minor})
    return wallet_transfer(
        sender=sender, to_wallet_id=to_wallet.public_id, amount=usd(minor), idempotency=idem
    ).transaction


@pytest.fixture
def moderator(db):
    return grant(UserFactory(), "ledger.view_dispute", "ledger.review_dispute", "ledger.reverse_dispute")


@pytest.fixture
def reviewer(db):
    """May take and reject disputes, not reverse them."""
    return grant(UserFactory(), "ledger.view_dispute", "ledger.review_dispute")


@pytest.fixture
def paid(user, wallet, other_user, other_wallet):
    """`user` funded with 100.00 and sent 40.00 to `other_user`: returns the transfer."""
    fund(user, 10000)
    return pay(user, other_wallet, 4000)

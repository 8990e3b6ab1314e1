"""Fixtures shared by every app's tests."""

import uuid

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from ledger.reconcile import ledger_reconcile
from vaultpay.money import Money, currency_for
from wallets.services import wallet_create


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; the suite only needs hashes that verify.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _celery_eager():
    # Tests run tasks in-process (a speed knob, like the hasher); the real-worker tests switch it off.
    from vaultpay.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from vaultpay.console_settings import console_settings_forget

    cache.clear()
    console_settings_forget()
    yield
    cache.clear()
    console_settings_forget()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture
def auth_client(user) -> APIClient:
    return client_for(user)


@pytest.fixture
def wallet(user):
    return wallet_create(owner=user, currency=currency_for("USD"))


@pytest.fixture
def other_wallet(other_user):
    return wallet_create(owner=other_user, currency=currency_for("USD"))


def usd(amount_minor: int) -> Money:
    return Money(amount_minor, currency_for("USD"))


def new_key() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def assert_reconciled():
    """Call at the end of a test that moved money: the ledger must still reconcile."""

    def check():
        report = ledger_reconcile()
        assert report.ok, report

    return check


@pytest.fixture
def webhook_receiver(settings):
    """A running receiver on 127.0.0.1; loopback targets allowed as in development."""
    from accounts.tests.webhook_receiver import WebhookReceiver

    settings.WEBHOOK_ALLOW_LOOPBACK = True
    receiver = WebhookReceiver()
    yield receiver
    receiver.stop()

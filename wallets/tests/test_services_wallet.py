import pytest
from django.db import IntegrityError, transaction

from accounts.tests.factories import UserFactory
from vaultpay.money import currency_for
from wallets.exceptions import WalletStatusTransitionInvalid
from wallets.models import WALLET_STATUS_TRANSITIONS, SystemWalletPurpose, Wallet, WalletKind, WalletStatus
from wallets.services import wallet_create, wallet_set_status, wallet_system_get


@pytest.mark.django_db
def test_system_wallets_are_created_once_per_currency_and_purpose():
    first = wallet_system_get(currency="USD", purpose=SystemWalletPurpose.WORLD)
    again = wallet_system_get(currency="USD", purpose=SystemWalletPurpose.WORLD)
    assert first.pk == again.pk
    assert first.owner is None and first.kind == WalletKind.SYSTEM


@pytest.mark.django_db
def test_database_refuses_negative_user_balance(wallet):
    with pytest.raises(IntegrityError), transaction.atomic():
        Wallet.objects.filter(pk=wallet.pk).update(balance=-1)


@pytest.mark.django_db
def test_database_allows_negative_system_balance():
    world = wallet_system_get(currency="USD", purpose=SystemWalletPurpose.WORLD)
    Wallet.objects.filter(pk=world.pk).update(balance=-500)
    world.refresh_from_db()
    assert world.balance == -500


@pytest.mark.django_db
def test_database_refuses_two_open_wallets_for_one_user(wallet):
    with pytest.raises(IntegrityError), transaction.atomic():
        Wallet.objects.create(owner=wallet.owner, currency="EUR")


@pytest.mark.django_db
def test_closed_is_final():
    wallet = wallet_create(owner=UserFactory(), currency=currency_for("USD"))
    wallet_set_status(wallet=wallet, status=WalletStatus.CLOSED, actor=None)
    for status in WalletStatus:
        with pytest.raises(WalletStatusTransitionInvalid):
            wallet_set_status(wallet=wallet, status=status, actor=None)


def test_every_status_has_a_transition_rule():
    assert set(WALLET_STATUS_TRANSITIONS) == set(WalletStatus)

import pytest

from accounts.roles import Role
from accounts.services import user_set_role
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent, AuditEventType
from conftest import new_key, usd
from ledger.idempotency import idempotency_request_build
from ledger.services import wallet_deposit
from wallets.exceptions import WalletNotEmpty, WalletNotFound, WalletStatusTransitionInvalid
from wallets.models import SystemWalletPurpose, WalletStatus
from wallets.services import wallet_admin_close, wallet_freeze, wallet_system_get, wallet_unfreeze

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    user = UserFactory()
    user_set_role(user=user, role=Role.MODERATOR)
    return user


def test_freeze_and_unfreeze_are_audited_with_the_actor_and_role(wallet, moderator):
    wallet_freeze(wallet_id=wallet.pk, actor=moderator)
    wallet.refresh_from_db()
    assert wallet.status == WalletStatus.FROZEN
    wallet_unfreeze(wallet_id=wallet.pk, actor=moderator)
    wallet.refresh_from_db()
    assert wallet.status == WalletStatus.ACTIVE
    events = AuditEvent.objects.filter(target_type="wallets.wallet", target_id=str(wallet.pk), actor=moderator)
    assert [(e.event_type, e.actor_role) for e in events.order_by("id")] == [
        (AuditEventType.WALLET_FROZEN, "moderator"),
        (AuditEventType.WALLET_UNFROZEN, "moderator"),
    ]


def test_freezing_twice_is_an_invalid_transition(wallet, moderator):
    wallet_freeze(wallet_id=wallet.pk, actor=moderator)
    with pytest.raises(WalletStatusTransitionInvalid):
        wallet_freeze(wallet_id=wallet.pk, actor=moderator)


def test_system_wallets_cannot_be_frozen_or_closed(moderator):
    world = wallet_system_get(currency="USD", purpose=SystemWalletPurpose.WORLD)
    with pytest.raises(WalletNotFound):
        wallet_freeze(wallet_id=world.pk, actor=moderator)
    with pytest.raises(WalletNotFound):
        wallet_admin_close(wallet_id=world.pk, actor=moderator)


def test_console_close_only_empties_and_is_final(wallet, moderator):
    closed = wallet_admin_close(wallet_id=wallet.pk, actor=moderator)
    assert closed.status == WalletStatus.CLOSED
    with pytest.raises(WalletStatusTransitionInvalid):
        wallet_unfreeze(wallet_id=wallet.pk, actor=moderator)


def test_console_close_refuses_money_left_in_the_wallet(wallet, user, moderator):
    wallet_deposit(
        user=user,
        amount=usd(500),
        idempotency=idempotency_request_build(user=user, key=new_key(), operation="deposit", payload={}),
    )
    with pytest.raises(WalletNotEmpty):
        wallet_admin_close(wallet_id=wallet.pk, actor=moderator)
    wallet.refresh_from_db()
    assert wallet.status == WalletStatus.ACTIVE

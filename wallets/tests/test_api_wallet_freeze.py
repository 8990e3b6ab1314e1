"""The owner's own freeze: POST /wallet/freeze, POST /wallet/unfreeze {pin}."""

import pytest

from accounts.models import TransactionPin
from accounts.tests.factories import DEFAULT_PIN, UserFactory
from audit.models import AuditEvent, AuditEventType
from conftest import client_for
from ledger.tests.helpers import fund, ledger_snapshot, post_money
from wallets.models import Wallet, WalletStatus
from wallets.services import wallet_freeze


def _freeze(client):
    return client.post("/api/v1/wallet/freeze")


def _unfreeze(client, pin=DEFAULT_PIN):
    return client.post("/api/v1/wallet/unfreeze", {"pin": pin}, format="json")


def test_freeze_stops_withdrawals_and_transfers_at_once(auth_client, user, wallet, other_wallet):
    fund(wallet, 5_000)
    response = _freeze(auth_client)
    assert response.status_code == 200
    assert response.json()["status"] == "frozen"
    before = ledger_snapshot()
    for operation in ("withdraw", "transfer"):
        refused = post_money(
            auth_client, operation, {"amount": "1.00", "currency": "USD", "to_wallet": other_wallet.public_id}
        )
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "wallet_frozen"
    assert ledger_snapshot() == before
    event = AuditEvent.objects.get(event_type=AuditEventType.WALLET_FROZEN, actor=user)
    assert event.new_values == {"status": "frozen", "reason": "", "frozen_by_owner": True}


def test_freezing_twice_is_409(auth_client, wallet):
    _freeze(auth_client)
    response = _freeze(auth_client)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "wallet_frozen"


def test_unfreeze_with_the_pin_lifts_the_owners_freeze(auth_client, user, wallet, other_wallet, assert_reconciled):
    fund(wallet, 5_000)
    _freeze(auth_client)
    response = _unfreeze(auth_client)
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    sent = post_money(
        auth_client, "transfer", {"amount": "1.00", "currency": "USD", "to_wallet": other_wallet.public_id}
    )
    assert sent.status_code == 201
    assert AuditEvent.objects.filter(event_type=AuditEventType.WALLET_UNFROZEN, actor=user).count() == 1
    assert_reconciled()


def test_unfreeze_with_a_wrong_pin_is_refused_and_counted(auth_client, user, wallet):
    _freeze(auth_client)
    response = _unfreeze(auth_client, pin="1357")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "pin_invalid"
    assert TransactionPin.objects.get(user=user).failed_attempts == 1
    assert Wallet.objects.get(pk=wallet.pk).status == WalletStatus.FROZEN


def test_unfreeze_after_three_wrong_pins_is_locked(auth_client, wallet):
    _freeze(auth_client)
    for _ in range(3):
        _unfreeze(auth_client, pin="1357")
    response = _unfreeze(auth_client)
    assert response.status_code == 423
    assert response.json()["error"]["code"] == "pin_locked"
    assert Wallet.objects.get(pk=wallet.pk).status == WalletStatus.FROZEN


@pytest.mark.parametrize(
    ("pin", "code"),
    [
        ("", "pin_format_invalid"),
        ("12", "pin_format_invalid"),
        ("abcd", "pin_format_invalid"),
        ("２４６８", "pin_format_invalid"),
        (2468, "pin_format_invalid"),
        (None, "validation_error"),
    ],
)
def test_unfreeze_needs_a_pin_shaped_string(auth_client, wallet, pin, code):
    _freeze(auth_client)
    response = auth_client.post("/api/v1/wallet/unfreeze", {"pin": pin}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert TransactionPin.objects.get(user=wallet.owner).failed_attempts == 0  # a malformed PIN is no guess
    assert Wallet.objects.get(pk=wallet.pk).status == WalletStatus.FROZEN


def test_the_owner_cannot_lift_a_moderators_freeze(auth_client, user, wallet):
    moderator = UserFactory()
    wallet_freeze(wallet_id=wallet.pk, actor=moderator)
    response = _unfreeze(auth_client)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "wallet_frozen_by_moderator"
    assert TransactionPin.objects.get(user=user).failed_attempts == 0  # refused before any PIN is tried
    assert Wallet.objects.get(pk=wallet.pk).status == WalletStatus.FROZEN


def test_a_moderator_freezing_an_owner_frozen_wallet_takes_the_freeze_over(auth_client, wallet):
    _freeze(auth_client)
    wallet_freeze(wallet_id=wallet.pk, actor=UserFactory())
    response = _unfreeze(auth_client)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "wallet_frozen_by_moderator"


def test_unfreezing_an_active_wallet_is_409(auth_client, wallet):
    response = _unfreeze(auth_client)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "wallet_not_frozen"


@pytest.mark.django_db
def test_freeze_without_a_wallet_is_404(auth_client):
    assert _freeze(auth_client).status_code == 404
    assert _unfreeze(auth_client).status_code == 404


def test_one_user_cannot_touch_another_users_wallet(wallet, other_wallet, other_user):
    # given the other user froze their own wallet
    _freeze(client_for(other_user))
    # when the first user's client asks to unfreeze, it only ever addresses its own (active) wallet
    response = _unfreeze(client_for(wallet.owner))
    assert response.status_code == 409
    assert Wallet.objects.get(pk=other_wallet.pk).status == WalletStatus.FROZEN


def test_freeze_and_unfreeze_need_a_signed_in_user(api_client, wallet):
    assert _freeze(api_client).status_code == 401
    assert _unfreeze(api_client).status_code == 401

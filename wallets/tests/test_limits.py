"""Daily and monthly outgoing limits by tier, counted per owner and currency for the current UTC day and month."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from audit.models import AuditEvent, AuditEventType
from conftest import new_key, usd
from ledger.idempotency import IdempotencyRequest
from ledger.models import Entry, Transaction
from ledger.services import wallet_deposit, wallet_transfer, wallet_withdraw
from ledger.tests.helpers import TEST_PIN
from wallets.exceptions import LimitExceeded
from wallets.models import LimitTier, Wallet, WalletUsage
from wallets.services import wallet_set_limit_tier

pytestmark = pytest.mark.django_db


def key(user) -> IdempotencyRequest:
    return IdempotencyRequest(user=user, key=new_key(), fingerprint=new_key())


def fund(user, minor: int) -> None:
    wallet_deposit(user=user, amount=usd(minor), idempotency=key(user))


def send(user, to_wallet, minor: int):
    return wallet_transfer(sender=user, to_wallet_id=to_wallet.public_id, amount=usd(minor), idempotency=key(user))


def test_transfer_over_the_daily_limit_is_403_with_details(auth_client, user, wallet, other_wallet, assert_reconciled):
    # given 450.00 of the unverified 500.00 a day is used
    fund(user, 1_000_00)
    send(user, other_wallet, 450_00)
    # when
    response = auth_client.post(
        "/api/v1/transactions/transfer",
        {"to_wallet": other_wallet.public_id, "amount": "50.01", "currency": "USD", "pin": TEST_PIN},
        format="json",
        HTTP_IDEMPOTENCY_KEY=new_key(),
    )
    # then
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "limit_exceeded"
    assert error["details"] == {
        "period": "daily",
        "tier": "unverified",
        "currency": "USD",
        "limit": "500.00",
        "used": "450.00",
        "remaining": "50.00",
        "requested": "50.01",
    }
    assert Wallet.objects.get(pk=wallet.pk).balance == 550_00
    send(user, other_wallet, 50_00)  # exactly up to the limit is fine
    assert_reconciled()


def test_withdrawals_count_deposits_and_incoming_do_not(user, other_user, wallet, other_wallet, assert_reconciled):
    fund(user, 2_000_00)
    fund(other_user, 1_000_00)
    send(other_user, wallet, 400_00)  # incoming: not the user's spending
    wallet_withdraw(user=user, amount=usd(300_00), idempotency=key(user))
    send(user, other_wallet, 200_00)
    with pytest.raises(LimitExceeded):
        wallet_withdraw(user=user, amount=usd(1), idempotency=key(user))
    assert Entry.objects.filter(wallet=wallet).count() == 4
    assert_reconciled()


def test_day_and_month_reset_at_utc_midnight(user, wallet, other_wallet, assert_reconciled):
    fund(user, 5_000_00)
    with time_machine.travel(datetime(2026, 3, 1, 12, 0, tzinfo=UTC), tick=False):
        for day in range(1, 5):  # 500 a day on the 1st to the 4th: the month is at its 2,000.00
            with time_machine.travel(datetime(2026, 3, day, 23, 59, tzinfo=UTC), tick=False):
                send(user, other_wallet, 500_00)
        with time_machine.travel(datetime(2026, 3, 5, 0, 0, tzinfo=UTC), tick=False):
            with pytest.raises(LimitExceeded) as caught:
                send(user, other_wallet, 1)
            assert caught.value.details["period"] == "monthly"
            assert caught.value.details["remaining"] == "0.00"
        with time_machine.travel(datetime(2026, 4, 1, 0, 0, tzinfo=UTC), tick=False):
            send(user, other_wallet, 500_00)
            assert_reconciled()  # the counters agree with the ledger in the new month too
    counted = WalletUsage.objects.get(owner=user, currency="USD")
    assert (counted.day, counted.day_total) == (date(2026, 4, 1), 500_00)
    assert (counted.month, counted.month_total) == (date(2026, 4, 1), 500_00)
    assert_reconciled()  # and today, when April's counts are stale and count as nothing sent


def test_a_refused_payment_counts_nothing(user, wallet, other_wallet, assert_reconciled):
    fund(user, 1_000_00)
    send(user, other_wallet, 300_00)
    with pytest.raises(LimitExceeded):
        send(user, other_wallet, 300_00)
    counted = WalletUsage.objects.get(owner=user, currency="USD")
    assert (counted.day_total, counted.month_total) == (300_00, 300_00)
    send(user, other_wallet, 200_00)  # exactly what was left of the day
    assert_reconciled()


def test_limits_endpoint_shows_tier_usage_and_remaining(auth_client, user, wallet, other_wallet, assert_reconciled):
    fund(user, 1_000_00)
    send(user, other_wallet, 120_50)
    body = auth_client.get("/api/v1/wallet/limits").json()
    assert body == {
        "tier": "unverified",
        "currency": "USD",
        "daily": {
            "limit": "500.00",
            "used": "120.50",
            "remaining": "379.50",
            "tier_limit": "500.00",
            "personal_limit": None,
            "pending": None,
        },
        "monthly": {
            "limit": "2000.00",
            "used": "120.50",
            "remaining": "1879.50",
            "tier_limit": "2000.00",
            "personal_limit": None,
            "pending": None,
        },
    }
    assert_reconciled()


def test_limits_endpoint_needs_a_wallet(auth_client, api_client):
    assert auth_client.get("/api/v1/wallet/limits").json()["error"]["code"] == "wallet_not_found"
    assert api_client.get("/api/v1/wallet/limits").status_code == 401


def test_verified_tier_lifts_the_limit_and_is_audited(user, wallet, other_wallet, moderator_like, assert_reconciled):
    fund(user, 3_000_00)
    with pytest.raises(LimitExceeded):
        send(user, other_wallet, 600_00)
    wallet_set_limit_tier(owner=user, tier=LimitTier.VERIFIED, actor=moderator_like)
    send(user, other_wallet, 2_500_00)
    event = AuditEvent.objects.get(event_type=AuditEventType.WALLET_LIMIT_TIER_CHANGED)
    assert event.new_values == {"limit_tier": "verified"}
    assert Transaction.objects.filter(kind="transfer").count() == 1
    assert_reconciled()


@pytest.fixture
def moderator_like(db):
    from accounts.tests.factories import UserFactory

    return UserFactory(is_staff=True)


def test_closing_the_wallet_and_opening_another_does_not_reset_what_was_spent(user, wallet, assert_reconciled):
    from vaultpay.money import currency_for
    from wallets.services import wallet_close, wallet_create

    # given an owner who withdrew the whole day's 500.00 and closed the emptied wallet
    fund(user, 500_00)
    wallet_withdraw(user=user, amount=usd(500_00), idempotency=key(user))
    wallet_close(owner=user)
    # when they open a new wallet and try again the same day
    wallet_create(owner=user, currency=currency_for("USD"))
    fund(user, 500_00)
    with pytest.raises(LimitExceeded) as caught:
        wallet_withdraw(user=user, amount=usd(1), idempotency=key(user))
    # then the day's limit still counts what the first wallet sent
    assert (caught.value.details["period"], caught.value.details["used"]) == ("daily", "500.00")
    assert_reconciled()

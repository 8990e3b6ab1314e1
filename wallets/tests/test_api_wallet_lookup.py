"""Recipient lookup before paying: GET /wallets/{public_id}."""

import pytest

from wallets.models import SystemWalletPurpose, Wallet, WalletKind, WalletStatus


def test_lookup_shows_name_currency_and_whether_it_can_receive(auth_client, other_wallet, other_user):
    other_user.first_name, other_user.last_name = "Grace", "Hopper"
    other_user.save()
    response = auth_client.get(f"/api/v1/wallets/{other_wallet.public_id}")
    assert response.status_code == 200
    assert response.json() == {
        "id": other_wallet.public_id,
        "display_name": "Grace H.",
        "currency": "USD",
        "can_receive": True,
    }


def test_lookup_of_a_frozen_wallet_says_it_cannot_receive(auth_client, other_wallet):
    Wallet.objects.filter(pk=other_wallet.pk).update(status=WalletStatus.FROZEN)
    body = auth_client.get(f"/api/v1/wallets/{other_wallet.public_id}").json()
    assert body["can_receive"] is False
    assert "status" not in body and "balance" not in body


@pytest.mark.django_db
def test_system_closed_unknown_and_malformed_wallets_are_404(auth_client, other_wallet):
    world = Wallet.objects.filter(kind=WalletKind.SYSTEM, system_purpose=SystemWalletPurpose.WORLD).first()
    Wallet.objects.filter(pk=other_wallet.pk).update(status=WalletStatus.CLOSED)
    for public_id in (world.public_id if world else "VPY-WORLD0", other_wallet.public_id, "VPY-000000", "nope"):
        response = auth_client.get(f"/api/v1/wallets/{public_id}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "wallet_not_found"


def test_lookup_is_rate_limited_per_user(auth_client, other_wallet, settings):
    settings.RATELIMIT_WALLET_LOOKUP = "3/m"
    statuses = [auth_client.get(f"/api/v1/wallets/{other_wallet.public_id}").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_lookup_needs_a_signed_in_user(api_client, other_wallet):
    assert api_client.get(f"/api/v1/wallets/{other_wallet.public_id}").status_code == 401

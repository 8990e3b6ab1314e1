import pytest
from django.core.management import call_command

from conftest import client_for
from ledger.reconcile import ledger_reconcile
from ledger.tests.helpers import fund, post_money
from wallets.models import Wallet, WalletUsage

pytestmark = pytest.mark.django_db


def test_reconcile_passes_on_a_clean_ledger(wallet, capsys):
    fund(wallet, 1234)
    call_command("reconcile")
    out = capsys.readouterr().out
    assert "reconcile: OK" in out
    assert "USD: sum of all wallets = 0" in out


def test_reconcile_fails_when_a_cached_balance_drifts(wallet, capsys):
    fund(wallet, 1234)
    Wallet.objects.filter(pk=wallet.pk).update(balance=9999)  # a bug or a manual edit
    report = ledger_reconcile()
    assert not report.ok
    assert report.wallet_mismatches == [
        {"wallet": wallet.public_id, "id": wallet.pk, "balance": 9999, "entries_total": 1234}
    ]
    assert report.currency_totals["USD"] == 9999 - 1234
    with pytest.raises(SystemExit) as exit_info:
        call_command("reconcile")
    assert exit_info.value.code == 1
    assert "reconcile: FAILED" in capsys.readouterr().out


def test_reconcile_fails_when_a_spent_counter_drifts(wallet, other_wallet, capsys):
    # given a wallet that sent 5.00 today
    fund(wallet, 1234)
    response = post_money(
        client_for(wallet.owner), "transfer", {"to_wallet": other_wallet.public_id, "amount": "5", "currency": "USD"}
    )
    assert response.status_code == 201
    assert ledger_reconcile().ok
    # when its counter no longer says so (a bug or a manual edit)
    WalletUsage.objects.filter(owner=wallet.owner).update(day_total=1)
    # then
    report = ledger_reconcile()
    assert not report.ok
    assert report.spent_mismatches == [
        {
            "owner": wallet.owner_id,
            "currency": "USD",
            "spent_day": 1,
            "ledger_day": 500,
            "spent_month": 500,
            "ledger_month": 500,
        }
    ]
    with pytest.raises(SystemExit):
        call_command("reconcile")
    assert "spent counter mismatch" in capsys.readouterr().out

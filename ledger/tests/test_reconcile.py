import pytest
from django.core.management import call_command

from ledger.reconcile import ledger_reconcile
from ledger.tests.helpers import fund
from wallets.models import Wallet

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

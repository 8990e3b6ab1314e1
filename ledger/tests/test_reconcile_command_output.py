"""reconcile --json, and the progress line long commands draw only on a terminal."""

import io
import json

import pytest
from django.core.management import call_command

from ledger.tests.conftest import fund
from vaultpay.progress import CommandProgress

pytestmark = pytest.mark.django_db


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_reconcile_json_is_one_machine_readable_report(user, wallet):
    fund(user, 1250)
    out = io.StringIO()

    call_command("reconcile", "--json", stdout=out, stderr=io.StringIO())

    report = json.loads(out.getvalue())
    assert report["ok"] is True
    assert report["currency_totals"] == {"USD": 0}
    assert report["wallets_checked"] == 2 and report["transactions_checked"] == 1
    assert report["wallet_mismatches"] == []


def test_reconcile_json_reports_a_difference_and_exits_1(user, wallet):
    fund(user, 1250)
    type(wallet).objects.filter(pk=wallet.pk).update(balance=99)  # the cached balance drifts
    out = io.StringIO()

    with pytest.raises(SystemExit) as exited:
        call_command("reconcile", "--json", stdout=out, stderr=io.StringIO())

    report = json.loads(out.getvalue())
    assert exited.value.code == 1 and report["ok"] is False
    assert report["wallet_mismatches"][0]["wallet"] == wallet.public_id


@pytest.mark.parametrize("command", ["reconcile", "verify_audit", "rotate_kyc_keys"])
def test_long_commands_are_quiet_when_not_on_a_terminal(command, user, wallet):
    fund(user, 1250)
    err = io.StringIO()

    call_command(command, stdout=io.StringIO(), stderr=err)

    assert err.getvalue() == ""


def test_progress_is_drawn_on_a_terminal_and_cleared():
    from django.core.management.base import OutputWrapper

    terminal = Terminal()
    progress = CommandProgress(OutputWrapper(terminal), "events verified", total=3)

    progress.update(1)
    progress.update(2)  # within half a second: not redrawn
    progress.finish()

    assert terminal.getvalue() == "\revents verified: 1/3\r\033[K"

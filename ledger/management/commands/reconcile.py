import json
import sys

from django.core.management.base import BaseCommand

from ledger.reconcile import ReconcileReport, ledger_reconcile
from vaultpay.progress import CommandProgress
from wallets.models import Wallet


class Command(BaseCommand):
    help = (
        "Check the ledger: balances equal their entries, transactions balance, currencies sum to zero, "
        "spending-limit counters equal what each wallet sent today and this month, holds and refunds add up. "
        "Exits 1 on any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print the report as one JSON object.")

    def handle(self, *args, as_json: bool = False, **options):
        progress = CommandProgress(self.stderr, "wallets checked", total=Wallet.objects.count())
        report = ledger_reconcile(progress=progress.update if progress.enabled else None)
        progress.finish()
        if as_json:
            self.stdout.write(json.dumps(report.as_dict(), sort_keys=True, default=str))
        else:
            self._write_text(report)
        if not report.ok:
            sys.exit(1)

    def _write_text(self, report: ReconcileReport) -> None:
        self.stdout.write(
            f"wallets checked: {report.wallets_checked}, transactions checked: {report.transactions_checked}"
        )
        for currency, total in sorted(report.currency_totals.items()):
            self.stdout.write(f"  {currency}: sum of all wallets = {total}")
        for mismatch in report.wallet_mismatches:
            self.stdout.write(self.style.ERROR(f"  wallet mismatch: {mismatch}"))
        for unbalanced in report.unbalanced_transactions:
            self.stdout.write(self.style.ERROR(f"  unbalanced transaction: {unbalanced}"))
        for mismatch in report.spent_mismatches:
            self.stdout.write(self.style.ERROR(f"  spent counter mismatch: {mismatch}"))
        for mismatch in report.hold_mismatches:
            self.stdout.write(self.style.ERROR(f"  hold mismatch: {mismatch}"))
        for over in report.over_returned_transactions:
            self.stdout.write(self.style.ERROR(f"  reversed or refunded beyond its amount: {over}"))
        if report.ok:
            self.stdout.write(self.style.SUCCESS("reconcile: OK"))
        else:
            self.stdout.write(self.style.ERROR("reconcile: FAILED"))

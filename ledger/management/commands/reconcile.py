import sys

from django.core.management.base import BaseCommand

from ledger.reconcile import ledger_reconcile


class Command(BaseCommand):
    help = (
        "Check the ledger: balances equal their entries, transactions balance, currencies sum to zero, "
        "spending-limit counters equal what each wallet sent today and this month."
    )

    def handle(self, *args, **options):
        report = ledger_reconcile()
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
        if report.ok:
            self.stdout.write(self.style.SUCCESS("reconcile: OK"))
            return
        self.stdout.write(self.style.ERROR("reconcile: FAILED"))
        sys.exit(1)

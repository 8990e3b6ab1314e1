from django.core.management.base import BaseCommand, CommandError

from audit.chain import audit_chain_verify
from audit.models import AuditSeal
from audit.sealing import audit_anchor, audit_seal_everything_pending
from vaultpay.progress import CommandProgress


class Command(BaseCommand):
    help = (
        "Seal the events committed since the sequencer last ran, then walk the audit chain; exit 1 naming "
        "the first event edited, removed, reordered or forged."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-seal", action="store_true", help="Verify only; do not seal pending events first.")

    def handle(self, *args, **options):
        sealed = 0 if options["no_seal"] else audit_seal_everything_pending()
        progress = CommandProgress(self.stderr, "links verified", total=AuditSeal.objects.count())
        report = audit_chain_verify(anchor=audit_anchor(), progress=progress.update if progress.enabled else None)
        progress.finish()
        if not report.ok:
            where = f" at link {report.broken_seq}" if report.broken_seq else ""
            raise CommandError(f"Audit chain broken{where}: {report.reason} ({report.checked} links verified).")
        self.stdout.write(
            self.style.SUCCESS(f"Audit chain intact: {report.checked} events verified ({sealed} sealed just now).")
        )

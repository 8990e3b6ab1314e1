from django.core.management.base import BaseCommand, CommandError

from audit.chain import audit_chain_verify
from audit.models import AuditEvent
from vaultpay.progress import CommandProgress


class Command(BaseCommand):
    help = "Walk the audit log's hash chain; exit 1 naming the first event edited or cut out of it."

    def handle(self, *args, **options):
        progress = CommandProgress(self.stderr, "events verified", total=AuditEvent.objects.count())
        report = audit_chain_verify(progress=progress.update if progress.enabled else None)
        progress.finish()
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at event {report.broken_event_id}: {report.reason} "
                f"({report.checked} events verified before it)."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} events verified."))

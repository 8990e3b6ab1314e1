"""Re-wrap every KYC data key under the current master key (the first of KYC_MASTER_KEYS).

Files are not re-encrypted: only the 60-byte wrapped keys change. Each document is re-wrapped in
its own short transaction, so the command can be interrupted at any point and run again; it only
picks up documents still under an older key. Once it reports zero left, the old key can be
removed from KYC_MASTER_KEYS.
"""

from django.core.management.base import BaseCommand, CommandError

from kyc.encryption import current_key_id
from kyc.exceptions import KycDocumentUnreadable, KycKeyUnknown
from kyc.models import KycDocument
from kyc.services import kyc_document_rewrap, kyc_documents_on_old_keys
from vaultpay.progress import CommandProgress


class Command(BaseCommand):
    help = "Re-wrap KYC document keys under the current master key. Safe to interrupt and re-run."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="Documents read per query.")

    def handle(self, *args, batch_size: int, **options):
        rewrapped, failed = 0, []
        total = KycDocument.objects.exclude(key_id=current_key_id()).count()
        progress = CommandProgress(self.stderr, "documents re-wrapped", total=total)
        for done, document_id in enumerate(kyc_documents_on_old_keys(batch_size=batch_size), start=1):
            progress.update(done)
            try:
                if kyc_document_rewrap(document_id=document_id):
                    rewrapped += 1
            except (KycDocumentUnreadable, KycKeyUnknown) as exc:
                failed.append(f"document {document_id}: {exc.message} {exc.details}")
        progress.finish()
        self.stdout.write(f"Re-wrapped {rewrapped} data key(s) under the current master key.")
        if failed:
            raise CommandError("Could not re-wrap:\n" + "\n".join(failed))

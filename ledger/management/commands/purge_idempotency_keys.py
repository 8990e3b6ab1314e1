from django.core.management.base import BaseCommand

from ledger.idempotency import idempotency_purge_expired


class Command(BaseCommand):
    help = "Delete idempotency records older than IDEMPOTENCY_TTL (24 hours by default)."

    def handle(self, *args, **options):
        self.stdout.write(f"Purged {idempotency_purge_expired()} expired idempotency records.")

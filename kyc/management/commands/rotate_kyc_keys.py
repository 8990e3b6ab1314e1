"""Re-wrap every sealed object's data key under the current master key (the first of KYC_MASTER_KEYS):
KYC documents, dispute evidence and webhook signing secrets alike (every kind registered in
vaultpay.key_rotation).

Files are not re-encrypted: only the 60-byte wrapped keys change. Each object is re-wrapped in its
own short transaction, so the command can be interrupted at any point and run again; it only picks
up objects still under an older key. Once it reports zero left, the old key can be removed from
KYC_MASTER_KEYS.
"""

from django.core.management.base import BaseCommand, CommandError

from vaultpay.errors import VaultPayError
from vaultpay.key_rotation import sealed_object_kinds


class Command(BaseCommand):
    help = "Re-wrap the keys of every sealed object (KYC documents, dispute evidence, webhook secrets). Safe to re-run."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="Objects read per query.")

    def handle(self, *args, batch_size: int, **options):
        failed = []
        for kind in sealed_object_kinds():
            rewrapped = 0
            for object_id in kind.on_old_keys(batch_size=batch_size):
                try:
                    rewrapped += kind.rewrap(object_id)
                except VaultPayError as exc:  # its old key is gone, or the wrapped key was tampered with
                    failed.append(f"{kind.label} {object_id}: {exc.message} {exc.details}")
            self.stdout.write(f"Re-wrapped {rewrapped} {kind.label} data key(s) under the current master key.")
        if failed:
            raise CommandError("Could not re-wrap:\n" + "\n".join(failed))

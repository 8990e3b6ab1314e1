from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "ledger"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ledger.services.evidence_keys import dispute_evidence_on_old_keys, dispute_evidence_rewrap
        from vaultpay.key_rotation import SealedObjectKind, sealed_object_kind_register

        sealed_object_kind_register(
            SealedObjectKind(
                label="dispute evidence",
                on_old_keys=dispute_evidence_on_old_keys,
                rewrap=lambda dispute_id: dispute_evidence_rewrap(dispute_id=dispute_id),
            )
        )

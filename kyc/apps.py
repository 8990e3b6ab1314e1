from django.apps import AppConfig


class KycConfig(AppConfig):
    verbose_name = "KYC"
    name = "kyc"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kyc.services import kyc_document_rewrap, kyc_documents_on_old_keys
        from vaultpay.key_rotation import SealedObjectKind, sealed_object_kind_register

        sealed_object_kind_register(
            SealedObjectKind(
                label="KYC document",
                on_old_keys=kyc_documents_on_old_keys,
                rewrap=lambda document_id: kyc_document_rewrap(document_id=document_id),
            )
        )

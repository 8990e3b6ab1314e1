from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.roles_sync import roles_sync_after_migrate

        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="accounts.roles_sync")
        _register_webhook_secrets()


def _register_webhook_secrets() -> None:
    from accounts.webhooks.secret_keys import webhook_secret_rewrap, webhook_secrets_on_old_keys
    from vaultpay.key_rotation import SealedObjectKind, sealed_object_kind_register

    sealed_object_kind_register(
        SealedObjectKind(
            label="webhook signing secret",
            on_old_keys=webhook_secrets_on_old_keys,
            rewrap=lambda endpoint_id: webhook_secret_rewrap(endpoint_id=endpoint_id),
        )
    )

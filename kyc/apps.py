from django.apps import AppConfig


class KycConfig(AppConfig):
    verbose_name = "KYC"
    name = "kyc"
    default_auto_field = "django.db.models.BigAutoField"

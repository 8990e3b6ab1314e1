from django.contrib.admin.apps import AdminConfig


class VaultPayAdminConfig(AdminConfig):
    """The Django admin, with the moderator console's dashboard as its index page."""

    default_site = "vaultpay.console.VaultPayAdminSite"

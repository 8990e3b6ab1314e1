from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class VaultPayAdminConfig(AdminConfig):
    """The Django admin, with the moderator console's dashboard as its index page."""

    default_site = "vaultpay.console.VaultPayAdminSite"


class VaultPayConfig(AppConfig):
    """The project package as an app: its static files (the favicon) and operator commands."""

    name = "vaultpay"
    default = False

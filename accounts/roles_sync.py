"""Keep the four role groups holding exactly the permissions accounts.roles lists."""

import logging

from django.apps import apps as global_apps

from accounts.roles import ROLE_PERMISSIONS

logger = logging.getLogger(__name__)


def roles_sync(*, apps=global_apps, using: str = "default") -> None:
    """Create the role groups and set their permissions; skip permissions that do not exist (yet)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=str(role))
        permissions = []
        for label in sorted(wanted):
            app_label, codename = label.split(".", 1)
            permission = (
                Permission.objects.using(using).filter(content_type__app_label=app_label, codename=codename).first()
            )
            if permission is None:
                logger.debug("role %s: permission %s does not exist yet, skipped", role, label)
                continue
            permissions.append(permission)
        group.permissions.set(permissions)


def roles_sync_after_migrate(sender, app_config=None, using="default", apps=global_apps, **kwargs) -> None:
    # post_migrate fires once per app; permissions of every app exist only once the last one is done.
    if sender.label != list(global_apps.get_app_configs())[-1].label:
        return
    roles_sync(apps=apps, using=using)

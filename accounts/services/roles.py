from django.contrib.auth.models import Group
from django.db import transaction

from accounts.exceptions import RoleChangeForbidden
from accounts.models import User
from accounts.roles import ROLE_MANAGED_BY, STAFF_ROLES, Role
from audit.models import AuditEventType
from audit.services import audit_record


@transaction.atomic
def user_set_role(*, user: User, role: Role, actor: User | None = None) -> User:
    """Give `user` exactly one role: its group, and staff / superuser flags to match.

    `actor` None is an operator at the command line (manage.py set_role). Otherwise the actor needs
    the right to manage both the old and the new role, and never changes their own.
    Raises RoleChangeForbidden.
    """
    role = Role(role)
    if actor is not None:
        allowed = all(actor.has_perm(ROLE_MANAGED_BY[r]) for r in (user.role, role))
        if not allowed or actor.pk == user.pk:
            raise RoleChangeForbidden(details={"from": user.role, "to": role})
    old_role = user.role
    user.role = role
    user.is_staff = role in STAFF_ROLES
    user.is_superuser = role == Role.SUPER_ADMIN
    user.save(update_fields=["role", "is_staff", "is_superuser"])
    group, _ = Group.objects.get_or_create(name=str(role))
    user.groups.set([group])
    audit_record(
        event_type=AuditEventType.ROLE_CHANGED,
        actor=actor,
        target=user,
        old_values={"role": old_role},
        new_values={"role": role},
    )
    return user

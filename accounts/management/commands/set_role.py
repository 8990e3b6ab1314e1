from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_set_role


class Command(BaseCommand):
    help = "Give a user one of the four roles (user, moderator, admin, super_admin); the change is audited."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("role", choices=Role.values)

    def handle(self, *args, email: str, role: str, **options):
        user = User.objects.filter(email=User.objects.normalize_email(email)).first()
        if user is None:
            raise CommandError(f"No user with email {email}.")
        old_role = user.role
        user_set_role(user=user, role=Role(role))
        self.stdout.write(self.style.SUCCESS(f"{user.email}: {old_role} -> {role}"))

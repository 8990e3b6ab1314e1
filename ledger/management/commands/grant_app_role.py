"""Create (or bring back in line) the database role the running app connects as: least privilege.

Run by the role that owns the tables (the one `migrate` runs as), after every `migrate`:

    DATABASE_URL=postgres://vaultpay_owner:...@db/vaultpay manage.py grant_app_role vaultpay_app

The app role may read and write rows, nothing more. It owns no table, so it cannot ALTER or DROP
one, nor disable its triggers; it is no superuser, so it cannot switch every trigger off with
session_replication_role; it has no TRUNCATE (which skips row triggers), and no DELETE on the ledger
and audit tables, whose rows are never deleted. The triggers that refuse edits of entries and audit
events, and the balance check at commit, therefore hold against the app itself.
"""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

# Rows that are only ever inserted: no DELETE for the app (their triggers refuse it as well).
APPEND_ONLY_TABLES = (
    "ledger_entry",
    "ledger_transaction",
    "audit_auditevent",
    "audit_auditseal",
    "audit_auditcheckpoint",
)
# Written by `migrate` only, which runs as the owner.
OWNER_ONLY_WRITE_TABLES = ("django_migrations",)


class Command(BaseCommand):
    help = "Create or update the least-privilege role the app connects as (run as the owning role)."

    def add_arguments(self, parser):
        parser.add_argument("role", help="Name of the app's role, e.g. vaultpay_app.")
        parser.add_argument(
            "--password-env",
            default="DATABASE_APP_PASSWORD",
            help="Environment variable holding the role's password (default DATABASE_APP_PASSWORD). "
            "Unset: the role is created without a password (connections then rely on pg_hba).",
        )

    def handle(self, *args, role: str, password_env: str, **options):
        password = os.environ.get(password_env, "")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database()")
            owner, database = cursor.fetchone()
            if owner == role:
                raise CommandError("Run this as the owning role, not as the app role itself.")
            for statement, params in app_role_statements(role=role, database=database, password=password):
                cursor.execute(statement, params)
        self.stdout.write(f"Role {role} can read and write rows of {database}; it cannot alter, drop or truncate.")


def _exists(role: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        return cursor.fetchone() is not None


def app_role_statements(*, role: str, database: str, password: str) -> list[tuple[str, list]]:
    """The SQL that makes `role` a login role with row access only; idempotent, so it can be re-run."""
    name, db = connection.ops.quote_name(role), connection.ops.quote_name(database)
    attributes = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT"
    statements: list[tuple[str, list]] = [
        (f"{'ALTER' if _exists(role) else 'CREATE'} ROLE {name} {attributes}", []),
    ]
    if password:
        statements.append((f"ALTER ROLE {name} PASSWORD %s", [password]))
    statements += [
        (f"GRANT CONNECT ON DATABASE {db} TO {name}", []),
        (f"GRANT USAGE ON SCHEMA public TO {name}", []),
        (f"REVOKE CREATE ON SCHEMA public FROM {name}", []),
        # Start from nothing, so a privilege granted by hand earlier does not linger.
        (f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {name}", []),
        (f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}", []),
        (f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}", []),
    ]
    statements += [(f"REVOKE DELETE ON {table} FROM {name}", []) for table in APPEND_ONLY_TABLES]
    statements += [(f"REVOKE INSERT, UPDATE, DELETE ON {table} FROM {name}", []) for table in OWNER_ONLY_WRITE_TABLES]
    return statements

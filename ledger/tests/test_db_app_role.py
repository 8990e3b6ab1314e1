"""Least privilege on PostgreSQL: the role the app connects as cannot switch the ledger's guards off."""

import uuid

import pytest
from django.core.management import call_command
from django.db import ProgrammingError, connection, transaction

from ledger.reconcile import ledger_reconcile
from ledger.tests.conftest import fund
from wallets.models import Wallet

pytestmark = pytest.mark.django_db

GUARDED_TABLES = ["ledger_entry", "ledger_transaction", "audit_auditevent"]


@pytest.fixture
def app_role(db):
    # A fresh name: roles are cluster-wide. Created inside the test's transaction, so it is rolled back.
    role = f"vaultpay_app_test_{uuid.uuid4().hex[:10]}"
    call_command("grant_app_role", role)
    return role


def run_as(role: str, sql: str) -> None:
    """Run `sql` as `role` in a savepoint; SET LOCAL ROLE ends with it."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {connection.ops.quote_name(role)}")
        cursor.execute(sql)


def test_app_role_cannot_disable_triggers_with_session_replication_role(app_role):
    with pytest.raises(ProgrammingError, match="permission denied"):
        run_as(app_role, "SET session_replication_role = replica")


@pytest.mark.parametrize("table", GUARDED_TABLES)
def test_app_role_cannot_truncate(app_role, table):
    with pytest.raises(ProgrammingError, match="permission denied"):
        run_as(app_role, f"TRUNCATE {table} CASCADE")


@pytest.mark.parametrize("table", GUARDED_TABLES)
def test_app_role_cannot_alter_or_disable_triggers(app_role, table):
    with pytest.raises(ProgrammingError, match="must be owner"):
        run_as(app_role, f"ALTER TABLE {table} DISABLE TRIGGER ALL")
    with pytest.raises(ProgrammingError, match="must be owner"):
        run_as(app_role, f"ALTER TABLE {table} ADD COLUMN note text")


@pytest.mark.parametrize("table", GUARDED_TABLES)
def test_app_role_cannot_drop(app_role, table):
    with pytest.raises(ProgrammingError, match="must be owner"):
        run_as(app_role, f"DROP TABLE {table} CASCADE")


@pytest.mark.parametrize("table", GUARDED_TABLES)
def test_app_role_cannot_delete_append_only_rows(app_role, table):
    with pytest.raises(ProgrammingError, match="permission denied"):
        run_as(app_role, f"DELETE FROM {table}")  # noqa: S608 - table names from the fixed list above


def test_app_role_moves_money_as_usual(app_role, user, wallet):
    # when a deposit runs entirely as the app role (the deposit service opens the outermost atomic block)
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {connection.ops.quote_name(app_role)}")
    try:
        fund(user, 2500)
        report = ledger_reconcile()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    # then it posted and the books balance
    assert Wallet.objects.get(pk=wallet.pk).balance == 2500
    assert report.ok, report


def test_the_owner_could_switch_the_guards_off_which_is_why_the_app_is_not_it():
    # The control case: the owning superuser the test suite connects as is allowed what the app role is not.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone() == ("replica",)

"""A Python client generated from the OpenAPI schema walks through the README.

openapi-python-client turns /api/v1/schema/ into a package in a temporary directory (never
committed); the test imports it and follows the README's walk-through with it: sign up, sign in,
open a wallet, deposit (and replay), look the recipient up, set a PIN, pay, read the history, one
transaction by id and by reference and its entries, an over-precise amount refused, limits,
notifications, log out. httpx's WSGI transport sends each request through the Django application
in process, so what is checked is the schema a client sees and the answers the API gives.
"""

import importlib
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from django.core import mail, signals
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator

from accounts.tests.factories import UserFactory
from ledger.tests.helpers import fund
from vaultpay.money import currency_for
from vaultpay.wsgi import application
from wallets.services import wallet_create

PACKAGE = "vault_pay_api_client"


@pytest.fixture(scope="module")
def client_package(tmp_path_factory):
    """Generate the client once per run and make it importable."""
    root = tmp_path_factory.mktemp("client")
    schema_file = root / "schema.json"
    schema_file.write_text(json.dumps(SchemaGenerator().get_schema(request=None, public=True)))
    venv_bin = str(Path(sys.executable).parent)  # the generator formats its output with ruff from here
    env = {**os.environ, "PATH": venv_bin + os.pathsep + os.environ.get("PATH", "")}
    output = root / "generated"
    result = subprocess.run(  # noqa: S603 - our own interpreter and a file this test wrote
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(schema_file),
            "--output-path",
            str(output),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout, result.stdout  # every operation and model was generated
    sys.path.insert(0, str(output))
    yield importlib.import_module(PACKAGE)
    sys.path.remove(str(output))


@pytest.fixture
def _keep_test_connection():
    # As in test_api_fuzz: requests reach the WSGI app directly, so keep the test's connection open.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _api(package, token: str = ""):
    transport = httpx.WSGITransport(app=application)
    return package.AuthenticatedClient(
        base_url="http://testserver", token=token, httpx_args={"transport": transport}, raise_on_unexpected_status=True
    )


@pytest.mark.django_db
def test_the_readme_walk_through_with_a_generated_client(
    client_package, _keep_test_connection, assert_reconciled, django_capture_on_commit_callbacks
):
    models = importlib.import_module(f"{PACKAGE}.models")
    modules = {
        name: importlib.import_module(f"{PACKAGE}.api.{name}")
        for name in (
            "auth.auth_signup_create",
            "auth.auth_token_create",
            "auth.auth_email_verify_create",
            "auth.auth_logout_create",
            "users.users_me_retrieve",
            "wallet.wallet_create",
            "wallet.wallet_retrieve",
            "wallet.wallets_retrieve",
            "wallet.wallet_limits_retrieve",
            "security.pin_create",
            "transactions.transactions_deposit_create",
            "transactions.transactions_transfer_create",
            "transactions.transactions_list",
            "transactions.transactions_retrieve",
            "transactions.transactions_by_reference_retrieve",
            "transactions.transactions_entries_list",
            "notifications.notifications_list",
        )
    }
    op = {name.split(".")[1]: module for name, module in modules.items()}
    bob = UserFactory(first_name="Bob", last_name="Stone")
    bob_wallet = wallet_create(owner=bob, currency=currency_for("USD"))
    fund(bob_wallet, 100)
    anonymous = _api(client_package)

    # 1-2. Sign up and sign in
    signup = models.SignupInputRequest(
        first_name="Carol", last_name="Ng", email="carol@example.com", password="carol-walkthrough-pass"
    )
    with django_capture_on_commit_callbacks(execute=True):  # the verification email
        assert op["auth_signup_create"].sync_detailed(client=anonymous, body=signup).status_code == 201
    login = models.LoginInputRequest(email="carol@example.com", password="carol-walkthrough-pass")
    tokens = op["auth_token_create"].sync(client=anonymous, body=login)
    carol = _api(client_package, tokens.access)
    assert op["users_me_retrieve"].sync(client=carol).email == "carol@example.com"

    # 2b. Verify the email address with the emailed code (money cannot leave before)
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    verify = models.CodeInputRequest(code=code)
    assert op["auth_email_verify_create"].sync_detailed(client=carol, body=verify).status_code == 204

    # 3. Open a USD wallet
    wallet = op["wallet_create"].sync(
        client=carol, body=models.WalletCreateInputRequest(currency=models.CurrencyEnum.USD)
    )
    assert wallet.balance == "0.00"

    # 4. Deposit 100.00, and the very same request again: replayed, not posted twice
    key = str(uuid.uuid4())
    deposit = models.MoneyInputRequest(amount="100.00", currency=models.CurrencyEnum.USD)
    first = op["transactions_deposit_create"].sync_detailed(client=carol, body=deposit, idempotency_key=key)
    again = op["transactions_deposit_create"].sync_detailed(client=carol, body=deposit, idempotency_key=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert op["wallet_retrieve"].sync(client=carol).balance == "100.00"

    # 5. Look the recipient up before paying
    recipient = op["wallets_retrieve"].sync(bob_wallet.public_id, client=carol)
    assert (recipient.display_name, recipient.can_receive) == ("Bob S.", True)

    # 6-7. Set a PIN and send Bob 25.50
    assert op["pin_create"].sync_detailed(client=carol, body=models.PinSetInputRequest(pin="4826")).status_code == 204
    transfer = models.TransferInputRequest(
        to_wallet=bob_wallet.public_id,
        amount="25.50",
        currency=models.CurrencyEnum.USD,
        pin="4826",
        description="Lunch",
    )
    with django_capture_on_commit_callbacks(execute=True):  # the receipts, and so the notifications
        sent = op["transactions_transfer_create"].sync(client=carol, body=transfer, idempotency_key=str(uuid.uuid4()))
    assert (sent.amount, sent.direction, sent.counterparty.name) == ("25.50", "out", "Bob S.")

    # 8. History, one transaction by id and by reference, its double-entry legs
    history = op["transactions_list"].sync(client=carol, kind=models.TransactionsListKind.TRANSFER, limit=10)
    assert [t.id for t in history.results] == [sent.id]
    assert op["transactions_retrieve"].sync(sent.id, client=carol).reference == sent.reference
    assert op["transactions_by_reference_retrieve"].sync(sent.reference, client=carol).id == sent.id
    legs = op["transactions_entries_list"].sync(sent.id, client=carol)
    assert sorted((leg.direction, leg.amount) for leg in legs) == [("credit", "25.50"), ("debit", "25.50")]

    # 9. An error: USD has two decimal places, and nothing is rounded
    too_precise = models.TransferInputRequest(
        to_wallet=bob_wallet.public_id, amount="1.005", currency=models.CurrencyEnum.USD, pin="4826"
    )
    refused = op["transactions_transfer_create"].sync_detailed(
        client=carol, body=too_precise, idempotency_key=str(uuid.uuid4())
    )
    assert refused.status_code == 400
    assert refused.parsed.error.code == "amount_too_precise"

    # 10. Limits and notifications
    assert op["wallet_limits_retrieve"].sync(client=carol).daily.used == "25.50"
    titles = [n.title for n in op["notifications_list"].sync(client=carol).results]
    assert titles == ["You sent 25.50 USD to Bob S."]

    # 11. Log out
    logout = models.RefreshInputRequest(refresh=tokens.refresh)
    assert op["auth_logout_create"].sync_detailed(client=carol, body=logout).status_code == 204
    assert_reconciled()

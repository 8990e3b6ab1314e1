"""Property-based fuzzing of the whole API against its own OpenAPI schema (schemathesis).

Every operation in /api/v1/schema/ gets a bounded number of generated requests, valid and
invalid, sent in process through the WSGI application as an authenticated user with a funded
wallet; all of schemathesis's default checks apply (no 5xx, documented status codes, content types
and headers, responses matching their schema, invalid input rejected, valid input accepted).
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from accounts.services import session_start
from conftest import new_key, usd
from ledger.idempotency import idempotency_request_build
from ledger.services import deposit
from vaultpay.wsgi import application
from wallets.services import wallet_create

MAX_EXAMPLES_PER_OPERATION = 15
# Schema-valid but refused by rules JSON Schema cannot state: password strength (Django's
# validators), PIN strength (0000, 1234, ...), an amount's precision and range, which depend on the
# currency's exponent, and whether an opaque refresh token, PIN-reset code or IP-confirmation token
# is one we issued (emailed codes, TOTP codes, MFA tokens, sessions), whether an uploaded KYC document
# is a real, non-empty PDF, JPEG or PNG (checked by content), and logging out everywhere,
# which ends the token the later examples send. These operations still get every other check,
# including that invalid input is rejected.
SERVER_SIDE_RULES = {
    "POST /api/v1/auth/logout-all",
    "POST /api/v1/kyc/submissions",
    "POST /api/v1/auth/password/change",
    "POST /api/v1/auth/password/reset/confirm",
    "POST /api/v1/auth/email/verify",
    "POST /api/v1/auth/email/verify/resend",
    "POST /api/v1/auth/2fa/confirm",
    "POST /api/v1/auth/2fa/disable",
    "POST /api/v1/auth/token/mfa",
    "DELETE /api/v1/auth/sessions/{session_id}",
    "PATCH /api/v1/users/me",
    "POST /api/v1/auth/signup",
    "POST /api/v1/auth/logout",
    "POST /api/v1/transactions/deposit",
    "POST /api/v1/transactions/withdraw",
    "POST /api/v1/transactions/transfer",
    "POST /api/v1/transactions/{transaction_id}/disputes",
    "POST /api/v1/pin",
    "POST /api/v1/pin/change",
    "POST /api/v1/pin/reset/confirm",
    "GET /api/v1/security/ips/confirm",
}

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = application


@pytest.fixture
def _keep_test_connection():
    """Requests go straight to the WSGI app, so Django's request signals would close the test's
    connection (and its transaction) after each one; Django's own test client unhooks them too."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_headers(user, _keep_test_connection):
    """A user with a funded USD wallet, authenticated by a real JWT."""
    wallet_create(owner=user, currency=usd(0).currency)
    key = idempotency_request_build(user=user, key=new_key(), operation="deposit", payload={"fuzz": True})
    deposit(user=user, amount=usd(1_000_000), idempotency=key)
    pair = session_start(user=user, user_agent="schemathesis", ip="127.0.0.1")
    return {"Authorization": f"Bearer {pair.access}"}


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, fuzz_headers, assert_reconciled):
    excluded = [positive_data_acceptance] if case.operation.label in SERVER_SIDE_RULES else []
    case.call_and_validate(headers=fuzz_headers, excluded_checks=excluded)
    assert_reconciled()

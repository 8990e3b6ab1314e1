"""Property-based fuzzing of the whole API against its own OpenAPI schema (schemathesis).

The same checks and phases as `schemathesis run --checks all` from outside (README): every built-in
check, and the examples, coverage and fuzzing phases per operation plus the stateful phase over the
schema's links, with a bounded number of examples so the suite stays fast. Requests go in process
through the WSGI application as a signed-in user with a funded wallet. The refusals a schema
cannot state are listed, each with its reason, in schemathesis.toml, which both runs read.

As with `-H "Authorization: Bearer ..."` from outside, the token is configured once for the run
(so the checks that drop or spoil it, such as ignored_auth, know which header carries it); it
belongs to a user with a fixed id whom each test creates afresh.
"""

from datetime import timedelta
from pathlib import Path

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from rest_framework_simplejwt.tokens import AccessToken
from schemathesis.config import SchemathesisConfig

from accounts.tests.factories import UserFactory
from accounts.token_claims import AUTH_VERSION_CLAIM
from conftest import new_key, usd
from ledger.idempotency import idempotency_request_build
from ledger.services import wallet_deposit
from vaultpay.wsgi import application
from wallets.services import wallet_create

MAX_EXAMPLES_PER_OPERATION = 15
STATEFUL_SCENARIOS = 10
STATEFUL_STEPS = 6
FUZZ_USER_ID = 7_000_001
CONFIG = SchemathesisConfig.from_path(str(Path(__file__).resolve().parents[2] / "schemathesis.toml"))
HYPOTHESIS = dict(deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))


def _access_token_for_fuzz_user() -> str:
    token = AccessToken()
    token["user_id"] = str(FUZZ_USER_ID)
    token[AUTH_VERSION_CLAIM] = 0  # a new user's: accepted until a password change or logout-all bumps it
    token.set_exp(lifetime=timedelta(hours=3))  # outlives any suite run, however slow the machine
    return str(token)


CONFIG.projects.get_default().update(headers={"Authorization": f"Bearer {_access_token_for_fuzz_user()}"})

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True), config=CONFIG)
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
def fuzz_user(db, _keep_test_connection):
    """The configured token's user, with a funded USD wallet."""
    user = UserFactory(id=FUZZ_USER_ID)
    wallet_create(owner=user, currency=usd(0).currency)
    key = idempotency_request_build(user=user, key=new_key(), operation="deposit", payload={"fuzz": True})
    wallet_deposit(user=user, amount=usd(1_000_000), idempotency=key)
    return user


def test_every_check_and_phase_is_on():
    project = CONFIG.projects.get_default()
    checks = project.checks
    assert all(getattr(checks, name).enabled for name in ("positive_data_acceptance", "negative_data_rejection"))
    assert all(getattr(project.phases, phase).enabled for phase in ("examples", "coverage", "fuzzing", "stateful"))


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES_PER_OPERATION, **HYPOTHESIS)
def test_api_conforms_to_its_schema(case, fuzz_user, assert_reconciled):
    case.call_and_validate()
    assert_reconciled()


def test_api_links_hold_statefully(fuzz_user, assert_reconciled):
    """The stateful phase: follow the schema's links (create, then read) and check every response."""
    run_state_machine_as_test(
        schema.as_state_machine(),
        settings=settings(max_examples=STATEFUL_SCENARIOS, stateful_step_count=STATEFUL_STEPS, **HYPOTHESIS),
    )
    assert_reconciled()

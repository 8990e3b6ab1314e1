"""GET /api/v1/wallet/balance?at= and GET /api/v1/wallet/statement: what the ledger said, and when."""

import csv
import io
import json
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from pypdf import PdfReader

from conftest import client_for, new_key, usd
from ledger.idempotency import idempotency_request_build
from ledger.models import Entry, Transaction
from ledger.services import wallet_deposit, wallet_transfer
from ledger.statements import _last_entry_query, wallet_balance_at
from ledger.tests.helpers import ledger_snapshot

pytestmark = pytest.mark.django_db

NOV_1 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
NOV_2 = datetime(2026, 11, 2, 12, 30, tzinfo=UTC)
NOV_3 = datetime(2026, 11, 3, 18, 0, tzinfo=UTC)
TODAY = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
INJECTED = '=HYPERLINK("http://evil.example","Refund")'


def _deposit(user, minor: int):
    idem = idempotency_request_build(user=user, key=new_key(), operation="deposit", payload={"amount": minor})
    wallet_deposit(user=user, amount=usd(minor), idempotency=idem)


def _transfer(sender, to_wallet, minor: int, description: str):
    idem = idempotency_request_build(user=sender, key=new_key(), operation="transfer", payload={"amount": minor})
    wallet_transfer(
        sender=sender, to_wallet_id=to_wallet.public_id, amount=usd(minor), description=description, idempotency=idem
    )


@pytest.fixture
def history(user, wallet, other_user, other_wallet):
    """Nov 1: 100.00 in; Nov 2: 30.00 out to the other wallet; Nov 3: 5.25 back from it. Now: Nov 30."""
    with time_machine.travel(NOV_1, tick=False):
        _deposit(user, 10_000)
        _deposit(other_user, 1_000)
    with time_machine.travel(NOV_2, tick=False):
        _transfer(user, other_wallet, 3_000, "Rent for Zoë")
    with time_machine.travel(NOV_3, tick=False):
        _transfer(other_user, wallet, 525, INJECTED)
    with time_machine.travel(TODAY, tick=False):
        yield wallet


def _balance(client, at: str):
    return client.get("/api/v1/wallet/balance", {"at": at})


@pytest.mark.parametrize(
    ("at", "balance", "entry_at"),
    [
        ("2026-10-31T23:59:59Z", "0.00", None),
        ("2026-11-01T09:00:00Z", "100.00", "2026-11-01T09:00:00Z"),  # an entry at `at` counts
        ("2026-11-02T12:29:59.999999Z", "100.00", "2026-11-01T09:00:00Z"),
        ("2026-11-02T14:30:00+02:00", "70.00", "2026-11-02T12:30:00Z"),  # the offset is honoured
        ("2026-11-29T00:00:00Z", "75.25", "2026-11-03T18:00:00Z"),
    ],
)
def test_balance_at_an_instant_is_the_last_entry_at_or_before_it(history, auth_client, at, balance, entry_at):
    response = _balance(auth_client, at)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["balance"], body["available"], body["entry_at"]) == (balance, balance, entry_at)
    assert (body["wallet"], body["currency"]) == (history.public_id, "USD")


def test_balance_now_equals_the_wallet_balance(history, auth_client):
    history.refresh_from_db()
    assert _balance(auth_client, TODAY.isoformat()).json()["balance"] == "75.25" == f"{history.balance / 100:.2f}"


def test_balance_at_is_one_probe_of_the_wallet_created_index(history, other_wallet):
    # given: a ledger of some size, so the plan is the one a real one gets (rolled back with the test)
    txn = Transaction.objects.filter(to_wallet=history).first()
    rows = [
        Entry(transaction=txn, wallet=wallet, direction=direction, amount=1, currency="USD", balance_after=1)
        for wallet, direction in ((other_wallet, "debit"), (history, "credit"))
        for _ in range(3000)
    ]  # balanced, since the deferred trigger checks them when the test ends
    Entry.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE ledger_entry")
    # when
    plan = _last_entry_query(history, before=NOV_2, inclusive=True).explain(analyze=True)
    # then: the index is probed from `at` downwards and the scan stops at once (the row, and at most
    # one more to see that no other entry shares its stamp)
    assert "Index Scan Backward using entry_wallet_created_idx" in plan and "Seq Scan" not in plan, plan
    index_rows = int(re.search(r"Index Scan Backward.*?actual time=\S+ rows=(\d+)", plan).group(1))
    assert index_rows <= 2, plan


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "validation_error"),
        ({"at": "yesterday"}, "validation_error"),
        ({"at": "2026-13-01T00:00:00Z"}, "validation_error"),
        ({"at": "2026-11-30T10:00:01Z"}, "balance_at_in_future"),
    ],
)
def test_bad_instants_are_400_in_the_envelope(history, auth_client, params, code):
    response = auth_client.get("/api/v1/wallet/balance", params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


def test_no_wallet_is_404_for_balance_and_statement(db):
    from accounts.tests.factories import UserFactory

    client = client_for(UserFactory())
    assert client.get("/api/v1/wallet/balance", {"at": "2026-01-01T00:00:00Z"}).json()["error"]["code"] == (
        "wallet_not_found"
    )
    response = client.get("/api/v1/wallet/statement", {"from": "2026-01-01", "to": "2026-01-02"})
    assert (response.status_code, response.json()["error"]["code"]) == (404, "wallet_not_found")


def test_anonymous_callers_are_refused(api_client):
    assert api_client.get("/api/v1/wallet/balance", {"at": "2026-01-01T00:00:00Z"}).status_code == 401
    assert api_client.get("/api/v1/wallet/statement", {"from": "2026-01-01", "to": "2026-01-02"}).status_code == 401


def _statement(client, **params):
    return client.get("/api/v1/wallet/statement", params)


def test_json_statement_has_opening_lines_totals_and_closing(history, auth_client):
    response = _statement(auth_client, **{"from": "2026-11-02", "to": "2026-11-03"})
    assert response.status_code == 200
    body = json.loads(response.content)
    assert (body["from"], body["to"], body["opening_balance"]) == ("2026-11-02", "2026-11-03", "100.00")
    lines = [(e["created_at"], e["direction"], e["amount"], e["balance"], e["counterparty"]) for e in body["entries"]]
    other = Entry.objects.exclude(wallet=history).filter(wallet__owner__isnull=False).first().wallet.public_id
    assert lines == [
        ("2026-11-02T12:30:00Z", "out", "30.00", "70.00", other),
        ("2026-11-03T18:00:00Z", "in", "5.25", "75.25", other),
    ]
    assert (body["total_in"], body["total_out"], body["closing_balance"]) == ("5.25", "30.00", "75.25")


def test_running_balances_are_the_ledgers_own(history, auth_client):
    body = json.loads(_statement(auth_client, **{"from": "2026-11-01", "to": "2026-11-30"}).content)
    ledger = [f"{e.balance_after / 100:.2f}" for e in Entry.objects.filter(wallet=history).order_by("id")]
    assert [e["balance"] for e in body["entries"]] == ledger
    assert body["opening_balance"] == "0.00" and body["closing_balance"] == ledger[-1]


def test_a_day_boundary_is_utc_and_to_is_included(history, auth_client):
    body = json.loads(_statement(auth_client, **{"from": "2026-11-03", "to": "2026-11-03"}).content)
    assert [e["amount"] for e in body["entries"]] == ["5.25"]
    assert (body["opening_balance"], body["closing_balance"]) == ("70.00", "75.25")


def test_csv_statement_opens_as_a_spreadsheet(history, auth_client):
    response = _statement(auth_client, **{"from": "2026-11-01", "to": "2026-11-30", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="vaultpay-statement-{history.public_id}-2026-11-01-2026-11-30.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["kind"], r["date"], r["money_in"], r["money_out"], r["balance"]) for r in rows] == [
        ("opening_balance", "2026-11-01", "", "", "0.00"),
        ("deposit", "2026-11-01", "100.00", "", "100.00"),
        ("transfer", "2026-11-02", "", "30.00", "70.00"),
        ("transfer", "2026-11-03", "5.25", "", "75.25"),
        ("closing_balance", "2026-11-30", "105.25", "30.00", "75.25"),
    ]
    assert rows[2]["time_utc"] == "12:30:00" and rows[2]["description"] == "Rent for Zoë"
    # A payer's description cannot run as a formula in the owner's spreadsheet.
    assert rows[3]["description"] == "'" + INJECTED


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_that_would_be_formulas_become_text(value):
    from ledger.statement_formats import csv_cell

    assert csv_cell(value) == "'" + value
    assert csv_cell("Lunch -5") == "Lunch -5"


def test_pdf_statement_reads_back(history, auth_client):
    response = _statement(auth_client, **{"from": "2026-11-01", "to": "2026-11-30", "format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('.pdf"')
    reader = PdfReader(io.BytesIO(response.content))
    text = reader.pages[0].extract_text()
    assert reader.metadata.title == f"VaultPay statement {history.public_id}"
    for expected in (
        "Opening balance",
        "Rent for Zoë",
        "100.00",
        "70.00",
        "75.25",
        "105.25",
        "Totals and closing balance",
    ):
        assert expected in text
    assert "HYPERLINK" in text


def test_a_long_pdf_statement_runs_onto_more_pages(user, wallet, auth_client):
    with time_machine.travel(NOV_1, tick=True):
        for _ in range(70):
            _deposit(user, 100)
    with time_machine.travel(TODAY, tick=False):
        response = _statement(auth_client, **{"from": "2026-11-01", "to": "2026-11-30", "format": "pdf"})
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 2
    last = reader.pages[-1].extract_text()
    assert "Page 2" in last and "70.00" in last and "Totals and closing balance" in last


@pytest.mark.parametrize("file_format", ["json", "csv"])
def test_a_statement_over_the_threshold_streams(history, auth_client, settings, file_format):
    settings.STATEMENT_STREAM_ABOVE = 2
    streamed = _statement(auth_client, **{"from": "2026-11-01", "to": "2026-11-30", "format": file_format})
    settings.STATEMENT_STREAM_ABOVE = 100
    whole = _statement(auth_client, **{"from": "2026-11-01", "to": "2026-11-30", "format": file_format})
    assert streamed.streaming and not whole.streaming
    body = b"".join(streamed.streaming_content)
    assert body == whole.content
    if file_format == "json":
        assert json.loads(body)["closing_balance"] == "75.25"


def test_statement_totals_are_complete_once_its_lines_are_read(history):
    from ledger.statements import StatementPeriod, wallet_statement

    statement = wallet_statement(wallet=history, period=StatementPeriod(NOV_1.date(), TODAY.date()))
    lines = statement.lines()
    assert next(lines).balance == 10_000 and statement.total_in == 10_000  # read one line at a time
    assert [line.balance for line in lines] == [7_000, 7_525]
    assert (statement.total_in, statement.total_out, statement.closing_balance) == (10_525, 3_000, 7_525)


@pytest.mark.parametrize(
    ("params", "code", "reason"),
    [
        ({"from": "2026-11-05", "to": "2026-11-04"}, "statement_range_invalid", "to_before_from"),
        ({"from": "2026-11-05", "to": "2026-12-01"}, "statement_range_invalid", "to_in_future"),
        ({"from": "2025-11-28", "to": "2026-11-29"}, "statement_range_invalid", "too_long"),
        ({"from": "2026-11-01"}, "validation_error", None),
        ({"from": "1 Nov", "to": "2026-11-04"}, "validation_error", None),
        ({"from": "2026-11-01", "to": "2026-11-04", "format": "xlsx"}, "validation_error", None),
    ],
)
def test_bad_periods_are_400_in_the_envelope(history, auth_client, params, code, reason):
    before = ledger_snapshot()
    response = _statement(auth_client, **params)
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code and error["request_id"]
    if reason:
        assert error["details"]["reason"] == reason
    assert ledger_snapshot() == before


def test_366_days_are_allowed(history, auth_client):
    response = _statement(auth_client, **{"from": "2025-11-30", "to": "2026-11-30"})
    assert response.status_code == 200
    assert json.loads(response.content)["closing_balance"] == "75.25"


def test_a_statement_is_the_callers_own_wallet_only(history, other_user, other_wallet):
    body = json.loads(_statement(client_for(other_user), **{"from": "2026-11-01", "to": "2026-11-30"}).content)
    assert body["wallet"] == other_wallet.public_id
    assert [e["amount"] for e in body["entries"]] == ["10.00", "30.00", "5.25"]
    assert body["closing_balance"] == "34.75"


def test_balance_at_model_function_refuses_the_future(history):
    from ledger.exceptions import BalanceInstantInFuture

    with pytest.raises(BalanceInstantInFuture):
        wallet_balance_at(wallet=history, at=TODAY.replace(hour=11), now=TODAY)

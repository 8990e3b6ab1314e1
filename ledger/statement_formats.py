"""A statement written out as JSON or CSV, chunk by chunk, so a long one can stream (ledger.statements).

Both writers read the statement's lines once and emit the totals and closing balance after them:
they are only known when the last line has been read, and reading twice could disagree with a
posting committed in between.
"""

import csv
import json
from collections.abc import Iterator

from ledger.statements import Statement, StatementLine
from vaultpay.money import format_minor

# A UTF-8 byte order mark opens the CSV: Excel reads a CSV without one in the machine's legacy code
# page (a name such as "Zoë" comes out as "ZoÃ«"), while LibreOffice, Numbers, Google Sheets and
# Python's "utf-8-sig" all read it and drop it.
CSV_BOM = "\ufeff"
CSV_HEADER = (
    "date",
    "time_utc",
    "reference",
    "kind",
    "description",
    "counterparty",
    "money_in",
    "money_out",
    "balance",
    "currency",
)
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection: a
# description "=HYPERLINK(...)" sent by a payer). A leading apostrophe makes it text and shows as
# nothing. Tab and carriage return are on OWASP's list too.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _money(statement: Statement, minor: int) -> str:
    return format_minor(minor, statement.currency)


def _line_json(statement: Statement, line: StatementLine) -> dict:
    return {
        "id": line.entry_id,
        "created_at": line.created_at.isoformat().replace("+00:00", "Z"),
        "reference": line.reference,
        "kind": line.kind,
        "description": line.description,
        "counterparty": line.counterparty or None,
        "direction": line.direction,
        "amount": _money(statement, line.amount),
        "balance": _money(statement, line.balance),
    }


def statement_json_chunks(statement: Statement) -> Iterator[str]:
    """The statement as one JSON object: the entries array first, the totals and closing balance after it."""
    head = {
        "wallet": statement.wallet.public_id,
        "currency": statement.currency,
        "from": statement.period.date_from.isoformat(),
        "to": statement.period.date_to.isoformat(),
        "opening_balance": _money(statement, statement.opening_balance),
    }
    yield json.dumps(head)[:-1] + ', "entries": ['
    for index, line in enumerate(statement.lines()):
        yield ("," if index else "") + json.dumps(_line_json(statement, line))
    tail = {
        "total_in": _money(statement, statement.total_in),
        "total_out": _money(statement, statement.total_out),
        "closing_balance": _money(statement, statement.closing_balance),
    }
    yield "], " + json.dumps(tail)[1:]


def csv_cell(value: str) -> str:
    """A text cell no spreadsheet will run as a formula."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


class _LineBuffer:
    """csv.writer writes into this and gets the text back: one formatted row per call."""

    def write(self, value: str) -> str:
        return value


def statement_csv_chunks(statement: Statement) -> Iterator[str]:
    """Header row, an opening-balance row, one row per entry, a closing row with the totals."""
    writer = csv.writer(_LineBuffer())
    money, currency = (lambda minor: _money(statement, minor)), statement.currency
    period = statement.period
    yield CSV_BOM + writer.writerow(CSV_HEADER)
    yield writer.writerow(
        [
            period.date_from.isoformat(),
            "",
            "",
            "opening_balance",
            "Opening balance",
            "",
            "",
            "",
            money(statement.opening_balance),
            currency,
        ]
    )
    for line in statement.lines():
        incoming = line.direction == "in"
        yield writer.writerow(
            [
                line.created_at.date().isoformat(),
                line.created_at.time().replace(microsecond=0).isoformat(),
                line.reference,
                line.kind,
                csv_cell(line.description),
                line.counterparty,
                money(line.amount) if incoming else "",
                "" if incoming else money(line.amount),
                money(line.balance),
                currency,
            ]
        )
    yield writer.writerow(
        [
            period.date_to.isoformat(),
            "",
            "",
            "closing_balance",
            "Closing balance (totals in and out)",
            "",
            money(statement.total_in),
            money(statement.total_out),
            money(statement.closing_balance),
            currency,
        ]
    )

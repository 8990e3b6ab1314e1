"""A statement as a PDF (reportlab), drawn page by page as its lines are read (ledger.statements).

Only the finished pages are kept (as PDF), never the entries: a year of a busy wallet costs its
PDF's size in memory, not its rows. The built-in Helvetica covers Latin-1; other characters of a
description are drawn as "?" rather than as nothing.
"""

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from ledger.statements import Statement, StatementLine
from vaultpay.money import format_minor

_FONT, _BOLD, _SIZE = "Helvetica", "Helvetica-Bold", 8.5
_MARGIN, _ROW = 36, 14
_WIDTH, _HEIGHT = A4
# Left edges of the text columns, then the right edges of the three amount columns.
_DATE_X, _REFERENCE_X, _DESCRIPTION_X = _MARGIN, _MARGIN + 74, _MARGIN + 188
_IN_RIGHT, _OUT_RIGHT, _BALANCE_RIGHT = _WIDTH - _MARGIN - 120, _WIDTH - _MARGIN - 60, _WIDTH - _MARGIN
_DESCRIPTION_WIDTH = _IN_RIGHT - 48 - _DESCRIPTION_X


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def _fit(text: str, width: float) -> str:
    text = _latin1(text)
    while text and stringWidth(text, _FONT, _SIZE) > width:
        text = text[:-2] + "…" if len(text) > 2 else ""
    return text


class _StatementCanvas:
    """The page layout: a header on every page, one row per line, a new page when this one is full."""

    def __init__(self, statement: Statement, buffer: io.BytesIO):
        self.statement = statement
        self.canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
        self.canvas.setTitle(f"VaultPay statement {statement.wallet.public_id}")
        self.canvas.setAuthor("VaultPay")
        self.page = 0
        self.y = 0.0
        self._new_page()

    def money(self, minor: int) -> str:
        return format_minor(minor, self.statement.currency)

    def _new_page(self) -> None:
        if self.page:
            self.canvas.showPage()
        self.page += 1
        statement, c = self.statement, self.canvas
        period = statement.period
        top = _HEIGHT - _MARGIN
        c.setFont(_BOLD, 14)
        c.drawString(_MARGIN, top, "VaultPay account statement")
        c.setFont(_FONT, _SIZE)
        c.drawRightString(_BALANCE_RIGHT, top, f"Page {self.page}")
        c.drawString(
            _MARGIN,
            top - 18,
            f"Wallet {statement.wallet.public_id} ({statement.currency}) from {period.date_from.isoformat()} "
            f"to {period.date_to.isoformat()}, times in UTC",
        )
        self.y = top - 44
        c.setFont(_BOLD, _SIZE)
        for x, label in ((_DATE_X, "Date"), (_REFERENCE_X, "Reference"), (_DESCRIPTION_X, "Description")):
            c.drawString(x, self.y, label)
        for right, label in ((_IN_RIGHT, "In"), (_OUT_RIGHT, "Out"), (_BALANCE_RIGHT, "Balance")):
            c.drawRightString(right, self.y, label)
        c.line(_MARGIN, self.y - 4, _BALANCE_RIGHT, self.y - 4)
        self.y -= _ROW + 2
        c.setFont(_FONT, _SIZE)

    def row(self, date: str, reference: str, description: str, money_in: str, money_out: str, balance: str) -> None:
        if self.y < _MARGIN:
            self._new_page()
        c = self.canvas
        c.drawString(_DATE_X, self.y, date)
        c.drawString(_REFERENCE_X, self.y, reference)
        c.drawString(_DESCRIPTION_X, self.y, _fit(description, _DESCRIPTION_WIDTH))
        c.drawRightString(_IN_RIGHT, self.y, money_in)
        c.drawRightString(_OUT_RIGHT, self.y, money_out)
        c.drawRightString(_BALANCE_RIGHT, self.y, balance)
        self.y -= _ROW

    def line(self, line: StatementLine) -> None:
        incoming = line.direction == "in"
        label = line.description or line.kind.capitalize()
        if line.counterparty:
            label = f"{label} ({'from' if incoming else 'to'} {line.counterparty})"
        amount = self.money(line.amount)
        self.row(
            line.created_at.strftime("%Y-%m-%d %H:%M"),
            line.reference,
            label,
            amount if incoming else "",
            "" if incoming else amount,
            self.money(line.balance),
        )

    def summary(self) -> None:
        statement, c = self.statement, self.canvas
        if self.y < _MARGIN + 3 * _ROW:
            self._new_page()
        c.line(_MARGIN, self.y + _ROW - 4, _BALANCE_RIGHT, self.y + _ROW - 4)
        c.setFont(_BOLD, _SIZE)
        self.row(
            statement.period.date_to.isoformat(),
            "",
            "Totals and closing balance",
            self.money(statement.total_in),
            self.money(statement.total_out),
            self.money(statement.closing_balance),
        )
        c.setFont(_FONT, _SIZE)

    def finish(self) -> None:
        self.canvas.save()


def statement_pdf(statement: Statement) -> bytes:
    """The statement as PDF bytes: header and opening balance, every line, the totals and closing balance."""
    buffer = io.BytesIO()
    pdf = _StatementCanvas(statement, buffer)
    opening = statement.period.date_from.isoformat()
    pdf.row(opening, "", "Opening balance", "", "", pdf.money(statement.opening_balance))
    for line in statement.lines():
        pdf.line(line)
    pdf.summary()
    pdf.finish()
    return buffer.getvalue()

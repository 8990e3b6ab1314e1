"""The caller's balance at a point in time and their statements (JSON, CSV, PDF), read from the ledger."""

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.rate_limits import rate_limit
from ledger.statement_formats import statement_csv_chunks, statement_json_chunks
from ledger.statement_pdf import statement_pdf
from ledger.statements import Statement, statement_period_build, wallet_balance_at, wallet_statement
from vaultpay.money import format_minor
from vaultpay.schema import error_response
from wallets.selectors import wallet_get_open_for_user


class BalanceAtQuerySerializer(serializers.Serializer):
    at = serializers.DateTimeField(
        input_formats=["iso-8601"],
        help_text="An ISO 8601 instant, e.g. 2026-11-30T23:59:59Z (without an offset: UTC). Not in the future.",
    )


class BalanceAtOutputSerializer(serializers.Serializer):
    wallet = serializers.CharField(source="wallet.public_id")
    currency = serializers.CharField(source="wallet.currency")
    at = serializers.DateTimeField()
    balance = serializers.SerializerMethodField()
    available = serializers.SerializerMethodField(help_text="What could be spent at that instant.")
    entry_at = serializers.DateTimeField(
        allow_null=True, help_text="When the entry that set this balance was posted; null before the first."
    )

    def get_balance(self, point) -> str:
        return format_minor(point.balance, point.wallet.currency)

    def get_available(self, point) -> str:
        return format_minor(point.available, point.wallet.currency)


class StatementQuerySerializer(serializers.Serializer):
    # "from" is a Python keyword, so the field is declared through the class namespace.
    locals()["from"] = serializers.DateField(help_text="First day of the statement (UTC), YYYY-MM-DD.")
    to = serializers.DateField(help_text="Last day (UTC), included; not after today.")
    format = serializers.ChoiceField(choices=["json", "csv", "pdf"], default="json")


class StatementLineOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    reference = serializers.CharField()
    kind = serializers.CharField()
    description = serializers.CharField()
    counterparty = serializers.CharField(allow_null=True, help_text="The other wallet; null for outside VaultPay.")
    direction = serializers.ChoiceField(choices=["in", "out"])
    amount = serializers.CharField()
    balance = serializers.CharField(help_text="Running balance right after this entry.")


class StatementOutputSerializer(serializers.Serializer):
    """Documents the JSON statement (written by ledger.statement_formats, streamed when long)."""

    wallet = serializers.CharField()
    currency = serializers.CharField()
    locals()["from"] = serializers.DateField()
    to = serializers.DateField()
    opening_balance = serializers.CharField()
    entries = StatementLineOutputSerializer(many=True)
    total_in = serializers.CharField()
    total_out = serializers.CharField()
    closing_balance = serializers.CharField()


class _JsonAnswersOnly:
    """`format` picks the statement's file format here, not a DRF renderer; errors are always JSON."""

    def perform_content_negotiation(self, request, force=False):
        renderer = JSONRenderer()
        return renderer, renderer.media_type


_READ_ERRORS = {401: error_response("not_authenticated"), 404: error_response("wallet_not_found")}


class WalletBalanceAtView(_JsonAnswersOnly, APIView):
    @extend_schema(
        parameters=[BalanceAtQuerySerializer],
        responses={
            200: BalanceAtOutputSerializer,
            400: error_response("validation_error", "balance_at_in_future"),
            **_READ_ERRORS,
        },
        tags=["wallet"],
        description="Your wallet's balance right after every entry posted at or before `at`; zero before the "
        "first one.",
    )
    def get(self, request):
        query = BalanceAtQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        wallet = wallet_get_open_for_user(user=request.user)
        return Response(BalanceAtOutputSerializer(wallet_balance_at(wallet=wallet, at=query.validated_data["at"])).data)


_MEDIA_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}


def _filename(statement: Statement, extension: str) -> str:
    period = statement.period
    return f"vaultpay-statement-{statement.wallet.public_id}-{period.date_from}-{period.date_to}.{extension}"


class WalletStatementView(_JsonAnswersOnly, APIView):
    @extend_schema(
        parameters=[StatementQuerySerializer],
        responses={
            (200, "application/json"): StatementOutputSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/pdf"): OpenApiTypes.BINARY,
            400: error_response("validation_error", "statement_range_invalid"),
            **_READ_ERRORS,
            429: error_response("rate_limited"),
        },
        tags=["wallet"],
        description="Your wallet's statement over whole UTC days: the opening balance, every entry with its "
        "running balance, the totals in and out and the closing balance. `format=csv` is a spreadsheet "
        "(UTF-8 with a byte order mark, a header row, ISO dates, plain decimal amounts); `format=pdf` a "
        "printable document. At most STATEMENT_MAX_DAYS days; `to` not after today (400 "
        "`statement_range_invalid`, `details.reason`). Over STATEMENT_STREAM_ABOVE entries the answer streams.",
    )
    def get(self, request):
        rate_limit(
            request, scope="statement", key=str(request.user.pk), rate=settings.RATELIMIT_STATEMENT, fail_open=True
        )
        query = StatementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        period = statement_period_build(date_from=data["from"], date_to=data["to"])
        statement = wallet_statement(wallet=wallet_get_open_for_user(user=request.user), period=period)
        file_format = data["format"]
        if file_format == "pdf":
            response = HttpResponse(statement_pdf(statement), content_type=_MEDIA_TYPES["pdf"])
        else:
            chunks = (statement_csv_chunks if file_format == "csv" else statement_json_chunks)(statement)
            if statement.entry_count() > settings.STATEMENT_STREAM_ABOVE:
                response = StreamingHttpResponse(chunks, content_type=_MEDIA_TYPES[file_format])
            else:
                response = HttpResponse("".join(chunks), content_type=_MEDIA_TYPES[file_format])
        if file_format != "json":
            response["Content-Disposition"] = f'attachment; filename="{_filename(statement, file_format)}"'
        return response

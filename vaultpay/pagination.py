import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination, CursorPagination, LimitOffsetPagination

_CURSOR_RE = re.compile(r"[A-Za-z0-9+/=]{0,200}\Z", re.ASCII)


@extend_schema_field({"type": "string", "pattern": "^[A-Za-z0-9+/=]*$", "maxLength": 200})
class CursorField(serializers.CharField):
    """A keyset cursor as the `next` links carry it (base64), or blank for the first page.

    Anything else is a cursor VaultPay never issued: 404, like a well-formed one that decodes to
    nothing usable (HistoryCursorPagination.decode_cursor).
    """

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_blank=True, trim_whitespace=False, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not _CURSOR_RE.match(data):
            raise NotFound(HistoryCursorPagination.invalid_cursor_message)
        return data


class PageQuerySerializer(serializers.Serializer):
    """`limit` and `offset` checked strictly: a bad page request is a 400, never a silent default."""

    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, help_text="Page size, default 10.")
    offset = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=1_000_000_000,  # far past any history, and within PostgreSQL's OFFSET range
        help_text="How many rows to skip (offset pages, with a count).",
    )

    def to_internal_value(self, data):
        # DRF reads a blank form value as "not sent"; in a query string (`?limit=`) it is a mistake,
        # and so is a parameter given twice.
        errors = {}
        for name in self.fields:
            values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
            if len(values) > 1:
                errors[name] = ["Give this parameter once."]
            elif data.get(name) == "" and name != "cursor":
                errors[name] = ["This field may not be blank."]
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class HistoryPagination(LimitOffsetPagination):
    """`limit` (default 10, at most 100) and `offset`; responses carry count, next and previous."""

    default_limit = 10
    max_limit = 100

    def paginate_queryset(self, queryset, request, view=None):
        PageQuerySerializer(data=request.query_params).is_valid(raise_exception=True)
        return super().paginate_queryset(queryset, request, view=view)


def _is_row_id(position: str) -> bool:
    return position.isascii() and position.isdecimal() and len(position) <= 18


class HistoryCursorPagination(CursorPagination):
    """Keyset pagination, newest first: `cursor` (empty for the first page) and `limit`.

    Every page costs the same however deep it is (`id < last seen id` on the wallet's index), and
    there is no COUNT over the whole history; responses carry next, previous and results.
    """

    ordering = "-id"
    page_size = 10
    page_size_query_param = "limit"
    max_page_size = 100

    def decode_cursor(self, request):
        # DRF checks the cursor's encoding, not its position: ordered by id, the position must be an
        # integer, or the filter `id < position` fails in the database. Unusable cursors are a 404 alike.
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None and not _is_row_id(cursor.position):
            raise NotFound(self.invalid_cursor_message)
        return cursor


def history_paginator(request) -> BasePagination:
    """Keyset pages when the client asks for them with `cursor`, offset pages otherwise."""
    return HistoryCursorPagination() if "cursor" in request.query_params else HistoryPagination()

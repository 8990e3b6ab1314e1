from rest_framework.pagination import BasePagination, CursorPagination, LimitOffsetPagination


class HistoryPagination(LimitOffsetPagination):
    """`limit` (default 10, at most 100) and `offset`; responses carry count, next and previous."""

    default_limit = 10
    max_limit = 100


class HistoryCursorPagination(CursorPagination):
    """Keyset pagination, newest first: `cursor` (empty for the first page) and `limit`.

    Every page costs the same however deep it is (`id < last seen id` on the wallet's index), and
    there is no COUNT over the whole history; responses carry next, previous and results.
    """

    ordering = "-id"
    page_size = 10
    page_size_query_param = "limit"
    max_page_size = 100


def history_paginator(request) -> BasePagination:
    """Keyset pages when the client asks for them with `cursor`, offset pages otherwise."""
    return HistoryCursorPagination() if "cursor" in request.query_params else HistoryPagination()

from rest_framework.pagination import LimitOffsetPagination


class HistoryPagination(LimitOffsetPagination):
    """`limit` (default 10, at most 100) and `offset`; responses carry count, next and previous."""

    default_limit = 10
    max_limit = 100

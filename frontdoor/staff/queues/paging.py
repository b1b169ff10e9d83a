"""Bounded pages: a queue page costs the same on the first page and the last.

A list counts at most ``MAX_ROWS`` + 1 rows (a ``LIMIT`` inside the count) and pages only
through the first ``MAX_ROWS``: past that the page asks for a filter or a search instead
of making the database skip hundreds of thousands of rows. Any ``page`` value works:
missing, negative or not a number is the first page, past the end is the last.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

MAX_ROWS = 1000


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    number: int
    size: int
    # Rows counted, at most MAX_ROWS + 1 (then ``more`` is true).
    counted: int

    limit: int = MAX_ROWS

    @property
    def more(self) -> bool:
        """There are more rows than can be paged through."""
        return self.counted > self.limit

    @property
    def total(self) -> int:
        return min(self.counted, self.limit)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.size + len(self.rows)


def page_number(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except (TypeError, ValueError, OverflowError):
        return 1


def paginate(queryset: QuerySet[Any], requested: str | None, size: int) -> Page:
    """Two queries: the bounded count, then the rows of the page."""
    limit = MAX_ROWS
    counted = queryset.order_by().values("pk")[: limit + 1].count()
    pages = max(1, -(-min(counted, limit) // size))
    number = min(page_number(requested), pages)
    start = (number - 1) * size
    end = min(start + size, limit)
    rows = list(queryset[start:end]) if counted else []
    return Page(rows, number, size, counted, limit)

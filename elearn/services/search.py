"""Search boxes over database columns: the words of elearn.domain.search, each found in the same column."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_
from sqlalchemy.orm import InstrumentedAttribute


def every_word_in(column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None], words: list[str],
                  any_case: bool = False) -> ColumnElement[bool]:
    """Each word somewhere in `column`, as typed (% and _ are no wildcards)."""
    if any_case:
        return and_(*(column.icontains(word, autoescape=True) for word in words))
    return and_(*(column.contains(word, autoescape=True) for word in words))

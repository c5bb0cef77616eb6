"""``number IN (a set of any size)``, as one bound value.

A search that filters the board names every ticket it matched: a common word on a
large desk is 100,000 numbers. SQLAlchemy's ``in_`` binds one parameter a number,
over SQLite's limit (32,766 variables) and slow to build long before it; here the
whole set is one parameter, a JSON array that SQLite unpacks with ``json_each``, or
an integer array for PostgreSQL's ``= ANY``. Small sets keep the plain ``IN``, which
the planner reads best, and so does a set that is mostly runs of consecutive
numbers (a word in nearly every ticket): a few ``BETWEEN`` ranges, read from the
index, instead of a list of every number.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import Integer, bindparam, or_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import Boolean

PLAIN_UP_TO = 500
"""Sets up to this size are a plain ``IN (...)``."""

RANGES_UP_TO = 64
"""Sets that are at most this many runs of consecutive numbers are ``BETWEEN``s."""


class _InNumberSet(ColumnElement[bool]):
    """``column IN set``, the set bound whole (compiled per database below)."""

    type = Boolean()
    inherit_cache = False  # the bound set is the statement's value, not its shape

    def __init__(self, column: ColumnElement[Any], numbers: Collection[int]) -> None:
        self.column = column
        self.numbers = sorted(numbers)


@compiles(_InNumberSet, "sqlite")
def _sqlite(element: _InNumberSet, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    value = compiler.process(bindparam(None, json.dumps(element.numbers)), **kw)
    return f"{column} IN (SELECT value FROM json_each({value}))"


@compiles(_InNumberSet, "postgresql")
def _postgresql(element: _InNumberSet, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    value = compiler.process(bindparam(None, element.numbers, type_=ARRAY(Integer)), **kw)
    return f"{column} = ANY({value})"


def in_number_set(column: Any, numbers: Collection[int]) -> ColumnElement[bool]:
    """``column IN numbers``, for a set of any size (an empty one matches nothing)."""
    if len(numbers) <= PLAIN_UP_TO:
        return column.in_(sorted(numbers))  # type: ignore[no-any-return]
    runs = runs_of(numbers, RANGES_UP_TO)
    if runs is not None:
        return or_(*(column.between(low, high) for low, high in runs))
    return _InNumberSet(column, numbers)


def runs_of(numbers: Collection[int], most: int) -> list[tuple[int, int]] | None:
    """``numbers`` as runs of consecutive numbers ``(first, last)``, or None if they
    are more than ``most`` runs."""
    runs: list[tuple[int, int]] = []
    ordered = sorted(numbers)
    start = previous = ordered[0]
    for number in ordered[1:]:
        if number != previous + 1:
            runs.append((start, previous))
            if len(runs) >= most:
                return None
            start = number
        previous = number
    runs.append((start, previous))
    return runs if len(runs) <= most else None

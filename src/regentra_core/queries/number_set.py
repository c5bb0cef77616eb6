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

from sqlalchemy import Integer, String, bindparam, or_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Boolean, TypeDecorator, TypeEngine

PLAIN_UP_TO = 500
"""Sets up to this size are a plain ``IN (...)``."""

RANGES_UP_TO = 64
"""Sets that are at most this many runs of consecutive numbers are ``BETWEEN``s."""


class _NumberList(TypeDecorator[list[int]]):
    """The set as one value: JSON text for SQLite's ``json_each``, an integer array
    for PostgreSQL's ``= ANY``."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(Integer))
        return dialect.type_descriptor(String())

    def process_bind_param(self, value: list[int] | None, dialect: Dialect) -> Any:
        if value is None or dialect.name == "postgresql":
            return value
        return json.dumps(value)


class _InNumberSet(ColumnElement[bool]):
    """``column IN set``, the set one bound value (compiled per database below).

    The set is a bound parameter, not part of the statement's text, so the statement
    is compiled once and found in SQLAlchemy's cache for every later set: the board's
    query with its joins took ~10 ms to compile, once per column, on every search."""

    type = Boolean()
    inherit_cache = True
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("value", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement[Any], numbers: Collection[int]) -> None:
        self.column = column
        self.value = bindparam(None, sorted(numbers), type_=_NumberList())


@compiles(_InNumberSet, "sqlite")
def _sqlite(element: _InNumberSet, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    value = compiler.process(element.value, **kw)
    return f"{column} IN (SELECT value FROM json_each({value}))"


@compiles(_InNumberSet, "postgresql")
def _postgresql(element: _InNumberSet, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    value = compiler.process(element.value, **kw)
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
    if ordered[-1] - ordered[0] + 1 == len(ordered):  # one run (a word in every ticket)
        return [(ordered[0], ordered[-1])] if most else None
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

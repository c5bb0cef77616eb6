"""Many rows written through the database's DB-API at once, as the ORM would store them.

The SLA sweep's first run on a big desk writes a few columns of every ticket and an
Event a ticket. Through SQLAlchemy's executemany each value passes its column
type's bind processors (a third of that run's time at 100k tickets); here the
statement goes to the driver as written, with ``?`` placeholders on either
database, and times are given as ``store.types.UTCDateTime`` stores them: naive UTC,
as SQLAlchemy's SQLite text on SQLite (microseconds always, so that text compares
in time order).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Connection

TimeWriter = Callable[[datetime | None], Any]


def _sqlite_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _naive_time(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None)


def time_writer(conn: Connection) -> TimeWriter:
    """How ``conn``'s database stores an aware UTC time (None stays None)."""
    return _sqlite_time if conn.dialect.name == "sqlite" else _naive_time


def executemany(conn: Connection, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """Run ``sql`` (``?`` placeholders) once per row, in ``conn``'s transaction."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        sql = sql.replace("?", "%s")
    conn.exec_driver_sql(sql, list(rows))

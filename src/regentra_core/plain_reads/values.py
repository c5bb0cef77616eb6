"""Stored values as the ORM's column types return them (``store.types``).

SQLite keeps times as naive UTC text and days as ISO text; PostgreSQL hands back
naive ``datetime`` and ``date``; both come back aware UTC. JSON kept as text is
JSONB on PostgreSQL, whose driver parses it: it goes back to text as the ORM's
``JSONText`` writes it.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any


def utc(value: Any) -> datetime:
    """A stored timestamp as an aware UTC ``datetime``."""
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def utc_or_none(value: Any) -> datetime | None:
    return None if value is None else utc(value)


def day(value: Any) -> date:
    """A stored ``date`` column."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(value)


def json_text(value: Any) -> str:
    """A ``JSONText`` column as the text the ORM returns."""
    if value is None or isinstance(value, str):
        return value  # type: ignore[return-value]
    return json.dumps(value, ensure_ascii=False)


def bound_time(value: datetime) -> datetime:
    """A time to compare with a stored one: naive UTC, as SQLite's text when on SQLite
    (SQLAlchemy's SQLite format, microseconds always)."""
    return value.astimezone(UTC).replace(tzinfo=None)


def sqlite_time(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")

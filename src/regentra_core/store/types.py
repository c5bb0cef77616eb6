"""Column types that keep the database honest about time, vocabularies and JSON.

SQLite has no time zone type: every timestamp is stored as naive UTC and comes back
as an aware UTC ``datetime``, so no caller ever compares naive with aware times.
Enum columns store the enum's value string (readable in ``sqlite3``, stable across
renames of the Python member) and come back as the enum. JSON the code keeps as
text (SLA pauses, view filters, rule conditions) is a JSONB column on PostgreSQL,
where the database checks it and can query it, and TEXT on SQLite.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Dialect, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine


class UTCDateTime(TypeDecorator[datetime]):
    """An aware-UTC ``datetime`` stored as naive UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


class StrEnumType(TypeDecorator[StrEnum]):
    """A ``StrEnum`` stored as its value in a short VARCHAR."""

    impl = String(32)
    cache_ok = True

    def __init__(self, enum_cls: type[StrEnum]) -> None:
        super().__init__()
        self.enum_cls = enum_cls

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return self.enum_cls(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> StrEnum | None:
        if value is None:
            return None
        return self.enum_cls(value)


class JSONText(TypeDecorator[str]):
    """JSON the code reads and writes as its text: JSONB on PostgreSQL, TEXT elsewhere.

    On PostgreSQL the text is parsed on the way in (a malformed value is refused by
    the database, not stored) and written back out on the way out, so callers see
    the same kind of value on both databases: a string they ``json.loads``.
    """

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: str | None, dialect: Dialect) -> Any:
        if value is None or dialect.name != "postgresql":
            return value
        return json.loads(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None or dialect.name != "postgresql":
            return value  # type: ignore[no-any-return]
        return json.dumps(value, ensure_ascii=False)

"""Text PostgreSQL can store: a NUL character becomes U+FFFD on the way in.

PostgreSQL's text types cannot hold NUL (0x00); SQLite's can. A mail, an SMS, a
chat transcript or a pasted note carrying one made the whole write fail on
PostgreSQL (``DataError``): a mail import ended in a traceback and the message was
never stored. Every string sent to PostgreSQL passes through psycopg's dumpers, so
one dumper, registered on each new connection, covers every column and every
door; the replacement character keeps the place of what could not be kept, as
undecodable bytes already do elsewhere.
"""

from __future__ import annotations

from typing import Any

from psycopg.types.string import StrBinaryDumper, StrDumperUnknown

NUL = "\x00"
REPLACEMENT = "\ufffd"


class _NulFreeText(StrDumperUnknown):
    def dump(self, obj: str) -> Any:
        return super().dump(obj.replace(NUL, REPLACEMENT) if NUL in obj else obj)


class _NulFreeBinary(StrBinaryDumper):
    def dump(self, obj: str) -> Any:
        return super().dump(obj.replace(NUL, REPLACEMENT) if NUL in obj else obj)


def on_connect(dbapi_connection: Any, _record: object) -> None:
    """SQLAlchemy's ``connect`` hook for a PostgreSQL engine (psycopg 3)."""
    # The order matters: the dumper registered last is the one an untyped (AUTO)
    # parameter gets, and it must stay psycopg's default, text of unknown type
    # (so PostgreSQL casts '2026-03-02 10:00' into a timestamp column).
    dbapi_connection.adapters.register_dumper(str, _NulFreeBinary)
    dbapi_connection.adapters.register_dumper(str, _NulFreeText)

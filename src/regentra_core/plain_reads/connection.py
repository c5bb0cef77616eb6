"""Opening a desk for plain reads, as the ORM path would find it, or refusing.

The target is what the ORM path opens (``--db``, else ``REGENTRA_DATABASE_URL``,
else the config files' ``database_url``, else the data folder's ``regentra.db``:
``Settings.database_target``), so both paths read the same desk. SQLite is opened
as ``store.engine`` opens it for a reader: the same busy timeout, deferred
``BEGIN`` (one snapshot for every query of a read), and never created
(``mode=rw``); the WAL journal mode is the file's own, set by every ORM open. A
reader may create the ``-shm`` file; SQLite gives it the database file's mode
whatever the umask, so the desk's sharing (``sharing.py``) is kept without
``adopt_umask``, which the ORM path needs only because it may create the desk.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..enums import Role
from ..errors import PlainUnavailable
from ..identity import os_username
from ..schema_head import HEAD

BUSY_TIMEOUT_SECONDS = 30.0
"""As ``store.engine``: a reader waits this long for a checkpointing writer."""

_POSTGRES_SCHEMES = ("postgresql", "postgresql+psycopg", "postgres")


@dataclass
class PlainDesk:
    """One open DB-API connection to a desk, inside one read transaction."""

    connection: Any
    is_sqlite: bool

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Every row of ``sql``, written with ``?`` placeholders for either database."""
        if not self.is_sqlite:
            sql = sql.replace("?", "%s")
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql, tuple(params))
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            cursor.close()


@contextmanager
def open_plain(target: str, *, username: str | None = None) -> Iterator[PlainDesk]:
    """The desk at ``target`` (a file path or a database URL) for reading, checked to
    be at the schema head and to know the account (``username``, or the OS account)
    as an active technician; PlainUnavailable when any of that is not so."""
    desk = _connect(target)
    try:
        _check_ready(desk, username if username is not None else os_username())
        yield desk
    except PlainUnavailable:
        raise
    except (sqlite3.Error, OSError) as exc:
        raise PlainUnavailable(f"plain read failed: {exc}") from exc
    except Exception as exc:
        if _is_psycopg_error(exc):
            raise PlainUnavailable(f"plain read failed: {exc}") from exc
        raise
    finally:
        try:
            desk.connection.rollback()
            desk.connection.close()
        except Exception:  # closing a broken connection: nothing more to say
            pass


def sqlite_path(target: str) -> Path | None:
    """The SQLite file ``target`` names (as ``store.engine.normalise_url`` reads it),
    or None when it is a URL of another database."""
    if "://" not in target:
        return Path(target).expanduser().resolve()
    if target.startswith("sqlite:///"):
        database = target.removeprefix("sqlite:///")
        if not database or database == ":memory:" or "?" in database:
            raise PlainUnavailable(f"not a plain SQLite file: {target}")
        return Path(database)
    return None


def _connect(target: str) -> PlainDesk:
    path = sqlite_path(target)
    if path is not None:
        return PlainDesk(_connect_sqlite(path), is_sqlite=True)
    scheme = target.split("://", 1)[0]
    if scheme not in _POSTGRES_SCHEMES:
        raise PlainUnavailable(f"no plain reader for {scheme} URLs")
    return PlainDesk(_connect_postgres("postgresql://" + target.split("://", 1)[1]), False)


def _connect_sqlite(path: Path) -> sqlite3.Connection:
    try:
        # A folder the account cannot enter raises PermissionError from is_file():
        # the ORM path then says which folder and whose it is.
        if not path.is_file() or not os.access(path, os.R_OK):
            raise PlainUnavailable(f"no readable desk at {path}")
    except OSError as exc:
        raise PlainUnavailable(f"cannot reach {path}: {exc}") from exc
    try:
        connection = sqlite3.connect(
            f"file:{quote(str(path))}?mode=rw",
            uri=True,
            timeout=BUSY_TIMEOUT_SECONDS,
            isolation_level=None,
        )
    except sqlite3.Error as exc:
        raise PlainUnavailable(f"cannot open {path}: {exc}") from exc
    try:
        connection.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
        connection.execute("BEGIN")
    except sqlite3.Error as exc:
        connection.close()
        raise PlainUnavailable(f"cannot read {path}: {exc}") from exc
    return connection


def _connect_postgres(url: str) -> Any:
    import psycopg

    try:
        return psycopg.connect(url, autocommit=False)
    except psycopg.Error as exc:
        raise PlainUnavailable(f"cannot connect: {exc}") from exc


def _is_psycopg_error(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("psycopg")


def _check_ready(desk: PlainDesk, username: str) -> None:
    """At the head revision, and ``username`` an active technician: else the ORM path
    (which upgrades an old desk, and words the refusal of an unknown account)."""
    try:
        versions = desk.rows("SELECT version_num FROM alembic_version")
    except sqlite3.Error as exc:
        raise PlainUnavailable(f"no schema version: {exc}") from exc
    if [str(v) for (v,) in versions] != [HEAD]:
        raise PlainUnavailable(f"schema is not at {HEAD}")
    found = desk.rows("SELECT active, role FROM technician WHERE username = ?", (username,))
    if not found or not found[0][0] or found[0][1] not in {r.value for r in Role}:
        raise PlainUnavailable(f"{username!r} is not an active technician here")

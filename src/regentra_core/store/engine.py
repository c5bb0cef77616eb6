"""Engine and session factories, built once per process and never at import time.

Many TUI processes and one worker share one SQLite file, so SQLite is set up for it:
WAL (readers never block the writer), a busy timeout (a writer waits its turn
instead of failing), and ``BEGIN IMMEDIATE`` for every write transaction. The last
one matters: with the driver's default deferred ``BEGIN`` a read-then-write
transaction takes the write lock only at its first write, and if another writer got
there first SQLite answers "database is locked" at once, ignoring the busy timeout,
because waiting could deadlock. Taking the write lock up front makes writers queue.

The recipe (driver autocommit off, SQLAlchemy emits ``BEGIN`` itself) follows
SQLAlchemy's SQLite dialect docs, "Transactions with SQLite and the sqlite3
driver"; read sessions keep the plain deferred ``BEGIN``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session

from ..errors import StoreError
from . import outbox

BUSY_TIMEOUT_SECONDS = 30.0
"""How long a writer waits for another process's transaction before giving up."""

_WRITE_OPTION = "regentra_write"


def _on_sqlite_connect(dbapi_connection: sqlite3.Connection, _: ConnectionPoolEntry) -> None:
    # Hand transaction control to SQLAlchemy (see the module docstring).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _on_sqlite_begin(conn: Connection) -> None:
    if conn.get_execution_options().get(_WRITE_OPTION):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def normalise_url(target: str) -> str:
    """Accept a SQLAlchemy URL or a plain file path and return a URL."""
    if "://" in target:
        return target
    return f"sqlite:///{Path(target).expanduser().resolve()}"


class Database:
    """The engines and sessions of one database, for one process.

    ``read()`` gives a session for queries; ``write()`` gives a session inside one
    write transaction that commits when the block ends and rolls back on error.
    """

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        connect_args: dict[str, Any] = {}
        if self.is_sqlite:
            database = parsed.database or ""
            if database in ("", ":memory:"):
                raise StoreError("an in-memory SQLite database cannot be shared; give a file")
            path = Path(database)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create {path.parent}: {exc.strerror}") from exc
            # check_same_thread: the TUI reads in worker threads; the pool hands each
            # connection to one thread at a time.
            connect_args = {"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False}
        try:
            self.engine: Engine = create_engine(self.url, connect_args=connect_args)
        except Exception as exc:  # bad URL, missing driver
            raise StoreError(f"cannot open database {self.display_url}: {exc}") from exc
        if self.is_sqlite:
            event.listen(self.engine, "connect", _on_sqlite_connect)
            event.listen(self.engine, "begin", _on_sqlite_begin)
        self.write_engine: Engine = self.engine.execution_options(**{_WRITE_OPTION: True})

    @property
    def display_url(self) -> str:
        """The URL with any password hidden, for status lines and errors."""
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries; it never commits."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
            except OperationalError as exc:
                raise StoreError(f"database error: {exc.orig}") from exc

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session inside one write transaction (``BEGIN IMMEDIATE`` on SQLite)."""
        with Session(self.write_engine, expire_on_commit=False) as session:
            outbox.install(session)
            try:
                with session.begin():
                    yield session
            except OperationalError as exc:
                raise StoreError(f"database error: {exc.orig}") from exc

    def close(self) -> None:
        """Close every pooled connection (tests and shutdown)."""
        self.engine.dispose()

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

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session

from ..errors import RaceLost, StoreError, ValidationError
from ..sharing import desk_dir, ensure_private_dir, mode_text, owner_text
from . import config_version, outbox

_COUNTERS = config_version
"""Imported with every Database: its ORM listeners bump the SLA set-up's and the
rules' change counters on any write (the SLA book, which imported it, no longer
imports the ORM)."""

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


def _is_environmental(exc: DBAPIError) -> bool:
    """Failures of the disk, the file or its permissions, not of our SQL."""
    orig = exc.orig
    if isinstance(orig, sqlite3.Error):
        return isinstance(orig, sqlite3.OperationalError | sqlite3.DatabaseError) and not (
            isinstance(orig, sqlite3.IntegrityError | sqlite3.ProgrammingError)
        )
    return exc.connection_invalidated or type(orig).__name__ == "OperationalError"


_RACES = {"23505", "40001", "40P01"}
"""PostgreSQL's unique violation, serialization failure and deadlock: what two
writers side by side cause, not a bug of either."""


def _is_race(exc: DBAPIError) -> bool:
    """Two writers at once: a unique key both inserted, or a deadlock (PostgreSQL),
    or on SQLite a unique key (its single writer makes that the other's insert)."""
    orig = exc.orig
    if isinstance(orig, sqlite3.IntegrityError):
        return "UNIQUE" in str(orig)
    return getattr(orig, "sqlstate", None) in _RACES


def _create_file(path: Path) -> None:
    """Create the (empty) database file with the desk's mode, before SQLite does.

    SQLite would create it 0644 less the umask; its ``-wal``, ``-shm`` and journal
    files copy the database file's mode, so setting it here sets theirs too.
    """
    mode = desk_dir(path.parent).file_mode
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
    try:
        os.fchmod(fd, mode)
    finally:
        os.close(fd)


def _nearly_full(path: Path | None) -> bool:
    """SQLite reports a full disk as an I/O error when its -shm cannot grow."""
    if path is None:
        return False
    try:
        st = os.statvfs(path.parent)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 1024 * 1024


def _file_access(path: Path | None) -> str:
    """Who may write the database file and its folder, for an error message."""
    if path is None:
        return "the server refused"
    parts = []
    for p in (path, path.parent):
        try:
            st = p.stat()
        except OSError as exc:
            parts.append(f"{p}: {exc.strerror}")
            continue
        parts.append(f"{p} is {owner_text(st)} {mode_text(st)}")
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    return ("; ".join(parts)) + ("" if writable else ", not writable by you")


def normalise_url(target: str) -> str:
    """Accept a SQLAlchemy URL or a plain file path and return a URL."""
    if "://" in target:
        return target
    return f"sqlite:///{Path(target).expanduser().resolve()}"


class Database:
    """The engines and sessions of one database, for one process.

    ``read()`` gives a session for queries; ``write()`` gives a session inside one
    write transaction that commits when the block ends and rolls back on error.

    ``create=False`` refuses a SQLite file that does not exist yet: only ``regentra
    init`` (and the demo) create a desk, so a mistyped ``--db`` is an error, not a
    new empty desk in a new folder.
    """

    def __init__(self, url: str, *, create: bool = True) -> None:
        self.url = normalise_url(url)
        self.on_index_work: list[Callable[[], None]] = []
        """Called after a write from this process commits work for the search index
        (the daemon wakes its indexer with it instead of waiting for its timer)."""
        parsed = make_url(self.url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self.path: Path | None = None
        connect_args: dict[str, Any] = {}
        if self.is_sqlite:
            database = parsed.database or ""
            if database in ("", ":memory:"):
                raise StoreError("an in-memory SQLite database cannot be shared; give a file")
            path = self.path = Path(database)
            try:
                exists = path.stat() is not None
            except (FileNotFoundError, NotADirectoryError):
                exists = False
            except OSError as exc:
                raise StoreError(
                    f"cannot open {path}: {exc.strerror} ({_file_access(path)}); "
                    "'regentra doctor' says how to fix it"
                ) from None
            if not create and not exists:
                raise StoreError(
                    f"there is no desk at {path}: check --db (or database_url), "
                    "or create one with 'regentra init'"
                )
            try:
                ensure_private_dir(path.parent)
                if not exists:
                    _create_file(path)
            except OSError as exc:
                raise StoreError(f"cannot create {path}: {exc.strerror}") from exc
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
        elif self.engine.dialect.driver == "psycopg":
            from .pg_text import on_connect

            event.listen(self.engine, "connect", on_connect)
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
            except DBAPIError as exc:
                raise StoreError(self.explain(exc)) from exc
            except OverflowError as exc:
                raise ValidationError(f"a number is too large: {exc}") from exc

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session inside one write transaction (``BEGIN IMMEDIATE`` on SQLite)."""
        with Session(self.write_engine, expire_on_commit=False) as session:
            outbox.install(session)
            try:
                with session.begin():
                    yield session
            except DBAPIError as exc:
                if _is_race(exc):
                    raise RaceLost(
                        "another process changed the same thing at the same moment; "
                        "nothing was written: try again"
                    ) from exc
                if not _is_environmental(exc):
                    raise  # a constraint the code should have checked: a bug, keep it loud
                raise StoreError(self.explain(exc)) from exc
            except OverflowError as exc:
                raise ValidationError(f"a number is too large: {exc}") from exc
            if session.info.get(outbox.QUEUED):
                for listener in self.on_index_work:
                    listener()

    def server_now(self) -> datetime:
        """The database's own clock, aware UTC (see :meth:`now_in`)."""
        with self.read() as session:
            return self.now_in(session)

    def now_in(self, session: Session) -> datetime:
        """The database's clock, read in ``session``'s transaction: the one clock
        every worker on every host agrees on.

        PostgreSQL's ``clock_timestamp()`` (the time of the call, not of the
        transaction's start); on SQLite the time SQLite reads from the operating
        system, never a process's injected ``Clock``.
        """
        sql = (
            "SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')"
            if self.is_sqlite
            else "SELECT clock_timestamp()"
        )
        value = session.connection().exec_driver_sql(sql).scalar_one()
        if isinstance(value, str):
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        assert isinstance(value, datetime)
        return value.astimezone(UTC)

    def explain(self, exc: BaseException) -> str:
        """A database failure in the words of the person at the keyboard.

        SQLAlchemy's text (with its link to its own docs) says what the driver saw;
        a technician needs to know which file, what is wrong with it, and what to do.
        """
        orig = getattr(exc, "orig", None) or exc
        text = " ".join(str(orig).split())
        low = text.lower()
        where = str(self.path) if self.path is not None else self.display_url
        if "readonly" in low or "read-only" in low:
            access = _file_access(self.path)
            return f"cannot write {where}: {access}; 'regentra doctor' says how to fix it"
        if (
            "disk is full" in low
            or "no space" in low
            or ("disk i/o error" in low and _nearly_full(self.path))
        ):
            return (
                f"the disk holding {where} is full: nothing was written; free some space and retry"
            )
        if "disk i/o error" in low:
            return (
                f"cannot read or write {where}: the disk reported an I/O error "
                "(is it full or failing?); nothing was written"
            )
        if "not a database" in low or "malformed" in low:
            return f"{where} is not a Regentra database (or it is damaged)"
        if "unable to open" in low:
            return f"cannot open {where}: {_file_access(self.path)}"
        if "locked" in low or "busy" in low:
            return (
                f"{where} is busy: another process held the write lock for "
                f"{BUSY_TIMEOUT_SECONDS:.0f} s; try again"
            )
        return f"database error on {where}: {text}"

    def close(self) -> None:
        """Close every pooled connection (tests and shutdown)."""
        self.engine.dispose()

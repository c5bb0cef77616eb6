"""Copy a whole desk into another database: how a team moves from SQLite to PostgreSQL.

The target is migrated to the same schema first, then every table is copied in
foreign-key order, in chunks, through SQLAlchemy's typed columns (so a timestamp,
a flag or an enum arrives as the same value whatever each database stores). A
ticket's link to its master (or to the ticket it follows up) may point at a newer
ticket, so those columns are filled in after every row is in. PostgreSQL's id
sequences are then moved past the copied ids, and each table is verified: its row
count and a checksum of every row, read back from both sides, in key order.

The source is only read; the target must hold no desk yet (nothing is merged).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, func, select, text, update
from sqlmodel import SQLModel

from ..errors import StoreError, ValidationError
from .engine import Database
from .migrate import upgrade
from .types import JSONText

CHUNK = 2000

Progress = Callable[[str, int, int], None]
"""(table, rows copied so far, rows in the table)."""


@dataclass(frozen=True, slots=True)
class TableCopy:
    """One table's copy, as verified."""

    table: str
    rows: int
    checksum: str


def tables() -> list[Table]:
    """The desk's tables, each after the tables it refers to."""
    import regentra_core.store.models  # noqa: F401 - registers the tables

    return list(SQLModel.metadata.sorted_tables)


def copy_desk(
    source: Database, target: Database, progress: Progress | None = None
) -> list[TableCopy]:
    """Copy every row of ``source`` into ``target`` (migrated first); verified."""
    if source.url == target.url:
        raise ValidationError("the source and the target are the same database")
    upgrade(source)
    upgrade(target)
    every = tables()
    with target.write_engine.begin() as conn:
        from .models import Ticket

        if conn.execute(select(func.count()).select_from(Ticket)).scalar_one():
            raise ValidationError(
                f"{target.display_url} already holds tickets: copy into an empty database"
            )
        for table in reversed(every):  # rows the migrations seeded (the desk's state)
            conn.execute(table.delete())
    for table in every:
        _copy_table(source, target, table, progress)
    if target.engine.dialect.name == "postgresql":
        _move_sequences(target, every)
    copies = []
    for table in every:
        theirs, ours = _verify(source, table), _verify(target, table)
        if theirs != ours:
            raise StoreError(
                f"{table.name}: the copy differs ({theirs.rows} rows, checksum "
                f"{theirs.checksum[:12]} in the source; {ours.rows}, {ours.checksum[:12]} "
                "in the target); the target is incomplete, do not use it"
            )
        copies.append(ours)
    return copies


def _self_links(table: Table) -> list[str]:
    return [c.name for c in table.columns if any(fk.column.table is table for fk in c.foreign_keys)]


def _key(table: Table) -> list[Any]:
    return list(table.primary_key.columns)


def _rows(db: Database, table: Table) -> Iterator[list[dict[str, Any]]]:
    """The table's rows in key order, a chunk at a time (keyset paging)."""
    key = _key(table)
    with db.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(
            select(table).order_by(*key)
        )
        for chunk in result.mappings().partitions(CHUNK):
            yield [dict(row) for row in chunk]


def _copy_table(
    source: Database, target: Database, table: Table, progress: Progress | None
) -> None:
    with source.engine.connect() as conn:
        total = int(conn.execute(select(func.count()).select_from(table)).scalar_one())
    links = _self_links(table)
    later: list[dict[str, Any]] = []
    done = 0
    if progress:
        progress(table.name, 0, total)
    for chunk in _rows(source, table):
        if links:
            for row in chunk:
                if any(row[c] is not None for c in links):
                    later.append(
                        {**{k.name: row[k.name] for k in _key(table)}, **{c: row[c] for c in links}}
                    )
                    for c in links:
                        row[c] = None
        with target.write_engine.begin() as conn:
            conn.execute(table.insert(), chunk)
        done += len(chunk)
        if progress:
            progress(table.name, done, total)
    if later:
        key = _key(table)
        with target.write_engine.begin() as conn:
            for row in later:
                conn.execute(
                    update(table)
                    .where(*(k == row[k.name] for k in key))
                    .values({c: row[c] for c in links})
                )


def _move_sequences(target: Database, every: list[Table]) -> None:
    with target.write_engine.begin() as conn:
        for table in every:
            for column in table.primary_key.columns:
                if not column.autoincrement or column.type.python_type is not int:
                    continue
                conn.execute(
                    text(
                        "SELECT setval(pg_get_serial_sequence(:t, :c), COALESCE("
                        f'(SELECT MAX("{column.name}") FROM "{table.name}"), 0) + 1, false)'
                    ),
                    {"t": table.name, "c": column.name},
                )


def _verify(db: Database, table: Table) -> TableCopy:
    digest = hashlib.sha256()
    rows = 0
    # JSON compares by content: PostgreSQL's JSONB keeps its own key order and spacing.
    json_columns = [c.name for c in table.columns if isinstance(c.type, JSONText)]
    for chunk in _rows(db, table):
        for row in chunk:
            for name in json_columns:
                if row[name] is not None:
                    row[name] = json.dumps(json.loads(row[name]), sort_keys=True)
            digest.update(json.dumps(row, sort_keys=True, default=_plain).encode())
            rows += 1
    return TableCopy(table.name, rows, digest.hexdigest())


def _plain(value: Any) -> str:
    if isinstance(value, bytes):
        return value.hex()
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)

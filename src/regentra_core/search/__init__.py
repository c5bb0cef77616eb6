"""Full-text search over tickets and KB articles, as derived data.

Two engines behind one interface (``interface.SearchEngine``, a Protocol), chosen
by the ``search_engine`` setting: Whoosh (the default; an index folder per host,
rebuilt from the database whenever it is missing or damaged, written by the worker
and by a command's search catching up, ``catchup.py``) and, on a PostgreSQL desk,
PostgreSQL's own full-text search (``postgres.py``), which every host shares. Both
are fed from the same outbox and answer the same query language.
"""

from __future__ import annotations

from pathlib import Path

from ..store.engine import Database
from .documents import SearchHit, SearchResults, Snippet
from .engine import SearchIndex, index_path_for
from .interface import SearchEngine
from .postgres import PostgresSearch


def open_engine(name: str, db: Database, index_path: Path, *, procs: int = 1) -> SearchEngine:
    """The configured engine for ``db`` (``index_path`` is Whoosh's folder)."""
    if name == "postgresql":
        return PostgresSearch(db, procs=procs)
    return SearchIndex(index_path, db, procs=procs)


__all__ = [
    "PostgresSearch",
    "SearchEngine",
    "SearchHit",
    "SearchIndex",
    "SearchResults",
    "Snippet",
    "index_path_for",
    "open_engine",
]

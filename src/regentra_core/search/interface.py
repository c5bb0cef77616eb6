"""What every search engine does: the interface the worker, the commands and the app use.

Two engines satisfy it (``engine.SearchIndex``, Whoosh; ``postgres.PostgresSearch``);
mypy checks each against it wherever one is passed as a :class:`SearchEngine`, and it
is ``runtime_checkable`` so a test can hold both to it. An engine may offer more
(Whoosh hands its outbox deletes to another thread, ``SearchIndex.drain(settle=)``),
but nothing outside that engine may count on it without asking which engine it has.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from ..store.engine import Database
from .documents import Matches, SearchResults
from .rebuilding import Progress, Rebuilds

__all__ = ["Progress", "SearchEngine"]


@runtime_checkable
class SearchEngine(Rebuilds, Protocol):
    """One desk's full-text search: fed from the outbox, answering the query language."""

    db: Database
    procs: int
    """Processes that may analyse a large batch: more than one only in the worker
    daemon and commands, never in the app (an engine that analyses in the database
    server ignores it)."""

    @property
    def location(self) -> str:
        """Where the documents are, in words (commands print it)."""
        ...

    def is_healthy(self) -> bool:
        """A complete build of the current version is in place."""
        ...

    def ensure(self) -> object:
        """Build the documents if they are missing, damaged or of an older version."""
        ...

    def close(self) -> None:
        """Release what is held between searches."""
        ...

    def drain(
        self,
        *,
        batch: int = 2000,
        after_index_commit: Callable[[], None] | None = None,
        writer_timeout: float = 2.0,
    ) -> int:
        """Index what the outbox names and delete those rows; rows drained.

        ``writer_timeout``: at most how long to wait for another process's writer
        before ``SearchBusy``; ``after_index_commit`` is for tests that crash there."""
        ...

    def pending(self) -> int:
        """Outbox rows not yet indexed."""
        ...

    def doc_count(self) -> int:
        """Documents searchable now."""
        ...

    def search(self, text: str, *, limit: int = 50, kind: str | None = None) -> SearchResults:
        """Ranked hits with snippets; a malformed query is one clear ``ValidationError``."""
        ...

    def warm(self) -> None:
        """Read ahead what the first search would wait for (the app asks it once, after
        its first paint)."""
        ...

    def matching(self, text: str) -> Matches:
        """The number of every ticket the search matches, unscored (for a filter that
        counts them all); a malformed query is one clear ``ValidationError``."""
        ...

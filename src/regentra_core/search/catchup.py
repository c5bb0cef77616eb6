"""A command's search sees what commands just wrote: the outbox drained by the searcher.

Every write queues its ticket or article in the search outbox, and a worker drains
it into the index within a second. With no worker (a fresh desk, a host whose daemon
is stopped) nobody did: ``regentra kb add`` promised "indexed for search at once",
and the next ``regentra search`` missed the article, saying nothing. So a search from
the command line first indexes what is pending itself, where it may:

- cheap when there is nothing to do: one ``EXISTS`` on the outbox (the common case,
  a worker keeps it empty) and nothing else;
- technicians may write the index: they are members of the desk's group, and the
  worker embedded in their apps writes it too. Whoosh's one-writer lock keeps it to
  one writer at a time, whoever it is; PostgreSQL's drain skips rows another
  drainer holds;
- bounded: a backlog larger than ``BUDGET`` seconds of indexing is left to the
  worker, and the answer says how many changes it has not seen yet and what to run;
- an index never built on a desk no worker runs is built by the search when the
  desk is small (``BUILD_LIMIT`` documents take a second or two), else the answer
  comes from the database and says to run ``regentra reindex``: a search must not
  turn into a rebuild of minutes, and nobody else is building it.

The app does not need this: its embedded worker (or the daemon) drains the outbox.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import exists, func, select
from sqlalchemy.exc import DBAPIError

from ..errors import RegentraError, SearchBusy, StoreError
from ..store.models import IndexOutbox, KBArticle, Ticket
from . import SearchEngine
from .documents import SearchResults
from .fallback import REBUILDING_NOTE

BUDGET = 1.5
"""Seconds a search may spend indexing what is pending before it answers."""
BATCH = 200
"""Outbox rows per drain inside a search: about half a second of indexing each."""
BUILD_LIMIT = 1_000
"""Tickets and articles a search builds a missing index for (a second or two)."""


def not_built_note(documents: int) -> str:
    """The index is missing, nobody is building it and it is too large for a search."""
    return (
        f"the search index has not been built and no worker runs on this desk: run "
        f"`regentra reindex` ({documents} tickets and articles); these results match "
        "subjects and descriptions only and may be incomplete"
    )


def pending_note(count: int, reason: str) -> str:
    """Changes the index has not seen, and why, in the reader's words."""
    changes = "1 recent change is" if count == 1 else f"{count} recent changes are"
    return f"{changes} not indexed yet: {reason}"


_ANY_PENDING = select(exists().select_from(IndexOutbox))


def has_pending(engine: SearchEngine) -> bool:
    """Whether the outbox holds anything: one ``EXISTS`` on a plain connection (a
    third of a millisecond; an ORM session around it took three times as long)."""
    try:
        with engine.db.engine.connect() as conn:
            return bool(conn.execute(_ANY_PENDING).scalar())
    except DBAPIError as exc:
        raise StoreError(engine.db.explain(exc)) from exc


def search_fresh(
    engine: SearchEngine,
    text: str,
    *,
    limit: int = 50,
    kind: str | None = None,
    worker_running: Callable[[], bool],
    budget: float = BUDGET,
    build_limit: int = BUILD_LIMIT,
) -> SearchResults:
    """Index what is pending (within ``budget`` seconds), then search.

    ``worker_running`` is asked only when something is left undone: whether a live
    worker holds the desk's lease decides who will finish it, and so what the
    answer's note tells the reader to do.
    """
    deadline = time.monotonic() + budget
    left, busy = (0, None)
    if has_pending(engine) and engine.is_healthy():
        left, busy = _drain(engine, deadline)
    hits = engine.search(text, limit=limit, kind=kind)
    if not hits.complete:
        return _unbuilt(engine, text, limit, kind, hits, worker_running, build_limit)
    if left:
        hits.note = pending_note(left, _why_pending(busy, worker_running))
    return hits


def _drain(engine: SearchEngine, deadline: float) -> tuple[int, str | None]:
    """Drain until empty or out of time; (rows left, why the last try stopped)."""
    why: str | None = None
    while True:
        remaining = deadline - time.monotonic()
        try:
            drained = engine.drain(batch=BATCH, writer_timeout=max(0.05, remaining))
            why = None
        except SearchBusy as exc:
            drained, why = 0, str(exc)
        except RegentraError as exc:  # e.g. an index this account cannot write
            return engine.pending(), str(exc)
        if drained < BATCH and not has_pending(engine):
            return 0, None
        if time.monotonic() >= deadline:
            return engine.pending(), why
        if not drained:
            time.sleep(0.05)  # rows another drainer holds: it commits them shortly


def _why_pending(busy: str | None, worker_running: Callable[[], bool]) -> str:
    if worker_running():
        return "the worker is indexing them; search again in a moment"
    what = f"{busy}, and no worker runs on this desk" if busy else "no worker runs on this desk"
    return f"{what}: run `regentra worker --once` (or start the worker: `regentra doctor` says how)"


def _unbuilt(
    engine: SearchEngine,
    text: str,
    limit: int,
    kind: str | None,
    fallback: SearchResults,
    worker_running: Callable[[], bool],
    build_limit: int,
) -> SearchResults:
    """The index is missing or damaged: the worker rebuilds it, else we do, or say so."""
    if worker_running():
        fallback.note = REBUILDING_NOTE
        return fallback
    with engine.db.read() as s:
        documents = int(s.execute(select(func.count()).select_from(Ticket)).scalar() or 0)
        documents += int(s.execute(select(func.count()).select_from(KBArticle)).scalar() or 0)
    if documents > build_limit:
        fallback.note = not_built_note(documents)
        return fallback
    try:
        engine.rebuild(only_if_unhealthy=True, wait=False)
    except SearchBusy:
        fallback.note = (
            "another process is building the search index; these results match "
            "subjects and descriptions only and may be incomplete"
        )
        return fallback
    except RegentraError as exc:
        fallback.note = (
            f"{exc}; these results match subjects and descriptions only and may be incomplete"
        )
        return fallback
    return engine.search(text, limit=limit, kind=kind)

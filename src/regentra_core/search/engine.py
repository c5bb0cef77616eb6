"""The Whoosh index: built from the database, fed by the outbox, searched by anyone.

Whoosh allows one writer per index (a second process gets LockError at once) and
its multi-file index is not crash safe, so here it is treated as derived data:

- one writer: the worker drains the outbox (``drain``; so does ``regentra search``
  before it answers, see ``catchup.py``), taking the writer with a timeout and
  retrying next round if another process holds it;
- batched commits: one commit per drained batch, not one per change;
- checked on open: a missing, unreadable or older-schema index is rebuilt from the
  database by the worker (``rebuild`` writes a new index beside the old one and
  swaps it in, one process at a time under a lock file); a search meanwhile is
  answered from the database (subjects and descriptions) and says it may be
  incomplete, instead of making a technician wait minutes for the rebuild;
- exactly once: outbox rows are deleted only after the index committed them, and
  documents are keyed (``update_document``), so replaying a batch after a crash
  changes nothing.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import delete, func
from sqlmodel import col, select
from whoosh import index
from whoosh.analysis import StandardAnalyzer
from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.qparser import MultifieldParser
from whoosh.query import Query, Term

from ..errors import RegentraError, SearchBusy, StoreError, ValidationError
from ..leftovers import remove_index_leftovers
from ..store.engine import Database
from ..store.models import IndexOutbox
from .documents import (
    Matches,
    SearchHit,
    SearchResults,
    Snippet,
    kb_documents,
    ticket_documents,
)
from .fallback import answer_from_database, numbers_from_database
from .rebuilding import Progress, Rebuild, Rebuilds
from .segments import SegmentAnswers
from .snippets import pieces as snippet_pieces
from .syntax import checked, normalise_fields
from .words import Words
from .writer import SegmentWriter

SCHEMA_VERSION = "5"
"""2: created and updated only stored (nothing searches them by range; indexing
their 32 numeric terms a document was a fifth of the indexing time).
3: text analysed by ``Words`` (the same tokens as Whoosh's stemming analyzer in one
pass); the schema pickled in an index names its analyzer, so older ones are rebuilt.
4: a ticket's resolution note is in its body: an index built before holds none, so
it is rebuilt (by the worker, or ``regentra reindex``).
5: the ticket number is a column as well (``matching`` reads every match's number)."""
WRITER_TIMEOUT = 2.0


def index_path_for(database_url: str, data_dir: Path) -> Path:
    """Where the index of a database lives: beside a SQLite file, else in data_dir."""
    if database_url.startswith("sqlite:///"):
        file = Path(database_url.removeprefix("sqlite:///"))
        return file.with_name(file.name + ".index")
    digest = hashlib.sha1(database_url.encode()).hexdigest()[:12]
    return data_dir / f"index-{digest}"


def schema() -> Schema:
    words = Words()
    return Schema(
        doc_id=ID(unique=True, stored=True),
        kind=ID(stored=True),
        key=ID(stored=True),
        # A column too: every match's number is read from it without decoding the
        # stored text of each (``matching``: 100,000 numbers, not 100,000 documents).
        number=NUMERIC(stored=True, signed=False, sortable=True),
        title=TEXT(stored=True, analyzer=words, field_boost=2.0),
        body=TEXT(stored=True, analyzer=words),
        notes=TEXT(stored=True, analyzer=words),
        status=ID(stored=True),
        priority=ID(stored=True),
        client=TEXT(stored=True, analyzer=StandardAnalyzer()),
        assignee=ID(stored=True),
        created=STORED(),
        updated=STORED(),
    )


_SCHEMA = schema()

T = TypeVar("T")

PARALLEL_FROM = 200
"""Documents in one commit before indexing is spread over processes (below it the
start-up of a child process costs more than it saves)."""


MAX_SEGMENTS = 16
"""Segments allowed to gather during a burst before a commit merges them anyway."""

LARGE_DRAIN = 1_000
"""Documents drained since the last full merge, at least, for the catch-up after them
to merge every segment into one (and a quarter of the index, at least: a merge
rewrites it all)."""


def available_procs(limit: int = 4) -> int:
    """CPUs this process may use, at most ``limit``."""
    try:
        return max(1, min(limit, len(os.sched_getaffinity(0))))
    except (AttributeError, OSError):
        return max(1, min(limit, os.cpu_count() or 1))


def _open(path: Path) -> index.Index:
    """Open without mmap: a segment file truncated or replaced under a memory map
    kills the process with SIGBUS, while a plain read fails with an error we handle.
    """
    return FileStorage(str(path), supports_mmap=False).open_index()


def _stems(query: Query, searcher: Any) -> dict[str, set[str]]:
    """The indexed words the query matches, by field (prefixes and wildcards
    expanded), for marking them in snippets."""
    stems: dict[str, set[str]] = {"title": set(), "body": set(), "notes": set()}
    reader = searcher.reader()
    # Leaf by leaf: Whoosh's ``existing_terms`` reuses its ``fieldname`` argument as
    # its loop variable, so after the first term it skips the other fields' leaves.
    for leaf in query.leaves():
        for field, text in leaf.expanded_terms(reader, phrases=True):
            if field in stems:
                stems[field].add(text.decode() if isinstance(text, bytes) else str(text))
    return stems


def _only(kind: str | None) -> dict[str, Query]:
    """Whoosh's arguments that keep the hits to one kind of document.

    Not ``And([query, Term("kind", kind)])``: Whoosh then stepped the query's
    postings and all 100,000 tickets' ``kind`` postings together, skipping through
    the latter a block header at a time (a rare word's search at 100k: 20 ms of
    CPU, most of it that). The articles are few: tickets are the documents that are
    not one (``mask``, a set Whoosh reads once a search), articles the ones that are
    (``filter``)."""
    if kind is None:
        return {}
    if kind == "ticket":
        return {"mask": Term("kind", "kb")}
    return {"filter": Term("kind", kind)}


def _parsed(cleaned: str) -> Query:
    """The query language read against our schema (not ``ix.schema``: that property
    rereads the index's TOC every time); a malformed one is one clear error."""
    parser = MultifieldParser(["title", "body", "notes"], _SCHEMA)
    try:
        query: Query = parser.parse(normalise_fields(cleaned))
    except Exception as exc:  # noqa: BLE001 - Whoosh raises many kinds
        raise ValidationError(f"cannot understand the search {cleaned!r}: {exc}") from exc
    return query


class SearchIndex(Rebuilds):
    """One database's search index, at ``path``."""

    def __init__(self, path: Path, db: Database, *, procs: int = 1) -> None:
        self.path = path
        self.db = db
        self.procs = procs
        """Processes that may analyse a large batch; more than one only in the worker
        daemon and commands, never in the app (which must not fork its terminal)."""
        self._ix: index.Index | None = None
        self._searcher: Any = None
        self._answers = SegmentAnswers()
        self._lock = threading.RLock()
        """Whoosh searchers are not shared between threads: one search at a time."""
        self._settling: set[int] = set()
        """Outbox rows the index holds whose delete is still on its way (``drain``)."""
        self._settling_lock = threading.Lock()
        self._unmerged = False
        """This process committed segments without merging them (see ``_tidy``)."""
        self._since_merge = 0
        """Documents this process indexed since it last merged the index whole."""

    @property
    def location(self) -> str:
        """Where the index is, in words (commands print it)."""
        return str(self.path)

    # -- opening ---------------------------------------------------------------------

    def _version_file(self, where: Path | None = None) -> Path:
        return (where or self.path) / "REGENTRA_SCHEMA"

    def is_healthy(self) -> bool:
        """True when the index exists, opens, and has the current schema."""
        try:
            if not index.exists_in(str(self.path)):
                return False
            if self._version_file().read_text().strip() != SCHEMA_VERSION:
                return False
            with _open(self.path).searcher() as searcher:
                searcher.doc_count()
            return True
        except Exception:  # noqa: BLE001 - any failure to read means "rebuild it"
            return False

    def ensure(self) -> index.Index:
        """Open the index (once), rebuilding it from the database if missing or damaged.

        For the worker and ``reindex``: a rebuild of a large desk takes minutes.
        Opening a large index costs a few hundred milliseconds, so it is opened once
        per process and its searcher refreshed, not reopened, for each query.
        """
        if self._ix is None or not self.path.exists():
            # What a build killed with SIGKILL left (its .new-<pid> folder, or the
            # old index parked as .old-<pid>) goes, or comes back, at the next start.
            remove_index_leftovers(self.path)
            if not self.is_healthy():
                self.rebuild(only_if_unhealthy=True)
            self._ix = _open(self.path)
            self._searcher = None
        return self._ix

    def _readable(self) -> index.Index | None:
        """The index if it can be searched now; None while it is missing or damaged."""
        if self._ix is None or not self.path.exists():
            self._ix = None
            if not self.is_healthy():
                return None
            self._ix = _open(self.path)
            self._searcher = None
        return self._ix

    def _current_searcher(self) -> Any:
        ix = self._readable()
        if ix is None:
            return None
        try:
            if self._searcher is None:
                self._searcher = ix.searcher()
            elif ix.latest_generation() != self._searcher.reader().generation():
                # Not ``Searcher.refresh()``: whoosh-reloaded 2.7's reader reuse keeps
                # the segments a merge replaced, so every merged document was found
                # twice (pinned by a test). A fresh searcher opens each segment anew.
                old, self._searcher = self._searcher, ix.searcher()
                old.close()
        except Exception:  # noqa: BLE001 - replaced or damaged under us: reopen once
            self.close()
            ix = self._readable()
            if ix is None:
                return None
            self._searcher = ix.searcher()
        return self._searcher

    def close(self) -> None:
        """Release the cached searcher's files."""
        if self._searcher is not None:
            self._searcher.close()
        self._searcher = None
        self._ix = None

    # -- writing (the worker) --------------------------------------------------------

    def _rebuild(self, progress: Progress | None, only_if_unhealthy: bool, wait: bool) -> int:
        """Build a fresh index from the database beside the old one, then swap it in.

        One process at a time (a lock file beside the index): four workers finding
        no index build it once; with ``only_if_unhealthy`` the ones that waited find
        it built and return. Whatever fails (a full disk, a killed build) leaves the
        old index and no half-built folder behind. Without ``wait`` (a search that
        would build a small index) a build under way elsewhere raises ``SearchBusy``.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            with lock_path.open("a") as lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise SearchBusy("another process is building the search index") from None
                try:
                    remove_index_leftovers(self.path)
                    if only_if_unhealthy and self.is_healthy():
                        return 0
                    return self._rebuild_locked(progress)
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)
        except OSError as exc:
            raise self._index_error(exc) from exc

    def _rebuild_locked(self, progress: Callable[[int, int], None] | None) -> int:
        with self.db.read() as s:
            build = Rebuild.plan(s, progress)
        fresh = self.path.with_name(f"{self.path.name}.new-{os.getpid()}")
        old = self.path.with_name(f"{self.path.name}.old-{os.getpid()}")
        shutil.rmtree(fresh, ignore_errors=True)
        try:
            fresh.mkdir(parents=True)
            ix = index.create_in(str(fresh), schema())
            writer = self._writer(ix, build.total, limitmb=256)
            try:
                with self.db.read() as s:
                    for batch in build.batches(s, 2000):
                        for doc in batch:
                            writer.add_document(**doc)
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            self._version_file(fresh).write_text(SCHEMA_VERSION)
            if self.path.exists():
                self.path.rename(old)
            fresh.rename(self.path)
        except BaseException:
            shutil.rmtree(fresh, ignore_errors=True)
            if old.exists() and not self.path.exists():
                old.rename(self.path)  # put the previous index back
            raise
        shutil.rmtree(old, ignore_errors=True)
        with self._lock:
            self.close()
        with self.db.write() as s:
            build.forget_outbox(s)
        return build.finish()

    def _index_error(self, exc: OSError) -> RegentraError:
        if exc.errno == errno.ENOSPC:
            return StoreError(
                f"the disk holding the search index {self.path} is full: it was not "
                "rebuilt; free some space and run 'regentra reindex'"
            )
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return StoreError(
                f"cannot write the search index {self.path}: {exc.strerror} "
                f"({exc.filename or self.path}); 'regentra doctor' says how to fix it"
            )
        return StoreError(f"cannot write the search index {self.path}: {exc}")

    def drain(
        self,
        *,
        batch: int = 2000,
        after_index_commit: Callable[[], None] | None = None,
        settle: Callable[[list[int]], None] | None = None,
        writer_timeout: float = WRITER_TIMEOUT,
    ) -> int:
        """Index what the outbox names, then delete those rows; returns rows drained.

        ``settle`` hands the delete to the caller's thread (``forget``) so the next
        batch is indexed meanwhile: on SQLite the delete waits for the write lock,
        which intake holds for most of a mail burst, and the indexer sat idle behind
        it for a sixth of the burst. Rows handed over are skipped until forgotten.
        ``after_index_commit`` exists for tests that simulate a crash between the
        index commit and the outbox delete. ``writer_timeout``: how long to wait for
        another process's writer before ``SearchBusy`` (a search waits less).
        """
        rebuilt = 0
        if (self._ix is None or not self.path.exists()) and not self.is_healthy():
            # A missing or damaged index is rebuilt here, by the worker, never by a search.
            rebuilt = self.rebuild(only_if_unhealthy=True)
        ix = self.ensure()
        with self._settling_lock:
            skip = sorted(self._settling)
        query = select(IndexOutbox).order_by(col(IndexOutbox.id)).limit(batch)
        if skip:
            query = query.where(col(IndexOutbox.id).not_in(skip))
        with self.db.read() as s:
            rows = s.exec(query).all()
        if not rows:
            self._tidy(ix)
            return rebuilt
        ticket_ids = {r.ticket_id for r in rows if r.ticket_id is not None}
        kb_ids = {r.kb_id for r in rows if r.kb_id is not None}
        with self.db.read() as s:
            docs = list(ticket_documents(s, ticket_ids))
            if kb_ids:
                docs += list(kb_documents(s, kb_ids))
        try:
            writer = self._writer(ix, len(docs), timeout=writer_timeout)
        except LockError:
            raise SearchBusy("another process is writing the search index") from None
        except OSError as exc:
            raise self._index_error(exc) from exc
        try:
            for doc in docs:
                writer.update_document(**doc)
            merge = len(ix._segments()) >= MAX_SEGMENTS
            writer.commit(merge=merge)
            self._unmerged = not merge
            self._since_merge += len(docs)
        except OSError as exc:
            writer.cancel()
            raise self._index_error(exc) from exc
        except BaseException:
            writer.cancel()
            raise
        if after_index_commit is not None:
            after_index_commit()
        drained = [r.id for r in rows if r.id is not None]
        if settle is None:
            self.forget(drained)
        else:
            with self._settling_lock:
                self._settling.update(drained)
            settle(drained)
        return rebuilt + len(rows)

    def _tidy(self, ix: index.Index) -> None:
        """Merge the small segments a burst left behind, once caught up.

        Whoosh merges small segments at every commit by default; in a burst of mail,
        drained in batches as intake stores them, it rewrote the same postings again
        and again (1,000 messages drained 30 at a time: 8.5 s of CPU with the merges,
        4.9 s without), and each merge held back the outbox rows that were already
        searchable. So drains commit without merging (up to ``MAX_SEGMENTS``) and
        the merge waits until there is nothing to index.

        After a large drain (a daemon's first catch-up, a big import) the small
        merges still left eight segments, and a common word cost twice what it costs
        on one: then every segment is merged into one.
        """
        whole = self._since_merge >= max(LARGE_DRAIN, ix.doc_count() // 4)
        if not self._unmerged and not whole:
            return
        try:
            writer = self._writer(ix, 0, timeout=WRITER_TIMEOUT)
        except LockError:
            raise SearchBusy("another process is writing the search index") from None
        try:
            writer.commit(optimize=whole)
        except BaseException:
            writer.cancel()
            raise
        self._unmerged = False
        if whole:
            self._since_merge = 0

    def forget(self, outbox_ids: list[int]) -> None:
        """Delete outbox rows the index has committed (from any thread).

        If the delete fails the rows are drained again later: indexing a document
        twice changes nothing.
        """
        try:
            with self.db.write() as s:
                s.execute(delete(IndexOutbox).where(col(IndexOutbox.id).in_(outbox_ids)))
        finally:
            with self._settling_lock:
                self._settling.difference_update(outbox_ids)

    def _writer(self, ix: index.Index, docs: int, **options: Any) -> Any:
        """Whoosh's writer; for a large batch, one that analyses on every core.

        Analysis (tokenise, stem, positions) is most of indexing and pure Python, so
        one process indexes about 300 messages a second. The parallel writer hands
        batches of documents to child processes that each write a segment of their
        own (no merge in this process: it stays free for intake), and Whoosh merges
        small segments on later commits.
        """
        if self.procs > 1 and docs >= PARALLEL_FROM:
            return ix.writer(procs=self.procs, multisegment=True, batchsize=100, **options)
        return SegmentWriter(ix, **options)

    def pending(self) -> int:
        """Outbox rows not yet indexed."""
        with self.db.read() as s:
            return int(s.exec(select(func.count()).select_from(IndexOutbox)).one())

    # -- reading (anyone) ------------------------------------------------------------

    def search(self, text: str, *, limit: int = 50, kind: str | None = None) -> SearchResults:
        """Ranked (BM25F) hits with highlighted snippets; bad queries are one clear error.

        Words, "phrases", prefixes (``print*``) and field filters (``client:acme
        status:open priority:high assignee:bob``) combine; words are ANDed. While
        the index is missing or damaged the answer comes from the database and is
        marked incomplete (the worker rebuilds the index meanwhile).
        """
        cleaned = checked(text)
        query = _parsed(cleaned)
        found = self._guarded(lambda: self._run(query, limit, kind), cleaned)
        if found is None:
            return answer_from_database(self.db, cleaned, limit, kind)
        return SearchResults(found)

    def matching(self, text: str) -> Matches:
        """Every ticket the search matches, unscored: Whoosh collects the matching
        documents without scoring them, and their numbers come from the ``number``
        column (an article has none: 0). While the index is missing or damaged the
        answer comes from the database, marked incomplete."""
        cleaned = checked(text)
        query = _parsed(cleaned)
        numbers = self._guarded(lambda: self._numbers(query), cleaned)
        if numbers is None:
            return numbers_from_database(self.db, cleaned)
        return Matches(numbers)

    def warm(self) -> None:
        """Read what the first search of a common word would (each segment's ticket
        numbers): the app asks this once it has painted, while nobody types yet."""
        with self._lock:
            try:
                searcher = self._current_searcher()
                if searcher is not None:
                    self._answers.read_columns(searcher)
            except Exception:  # noqa: BLE001 - a damaged index is found by the next search
                self.close()

    def _numbers(self, query: Query) -> frozenset[int] | None:
        searcher = self._current_searcher()
        if searcher is None:
            return None
        return self._answers.numbers(searcher, query)

    def _guarded(self, run: Callable[[], T | None], cleaned: str) -> T | None:
        """``run`` on the index, one search at a time; if it fails, maybe the index is
        damaged: check it and run once more (None: answer from the database). A second
        failure on a healthy index is the query's own (e.g. a pathological wildcard)."""
        with self._lock:
            try:
                return run()
            except RegentraError:
                raise
            except Exception:  # noqa: BLE001 - maybe the index is damaged: check and retry
                self.close()
                if not self.is_healthy():
                    return None
                try:
                    return run()
                except RegentraError:
                    raise
                except Exception as exc:  # noqa: BLE001 - Whoosh raises many kinds
                    raise ValidationError(f"cannot run the search {cleaned!r}: {exc}") from exc

    def _run(self, query: Query, limit: int, kind: str | None) -> list[SearchHit] | None:
        hits: list[SearchHit] = []
        searcher = self._current_searcher()
        if searcher is None:
            return None
        results = searcher.search(query, limit=limit, **_only(kind))
        stems = _stems(query, searcher)
        for hit in results:
            snippets = []
            for name in ("title", "body", "notes"):
                text = hit.get(name)
                pieces = snippet_pieces(text, stems[name]) if text else None
                if pieces:
                    snippets.append(Snippet(name, pieces))
            hits.append(
                SearchHit(
                    kind=hit["kind"],
                    key=hit["key"],
                    title=hit["title"],
                    score=float(hit.score or 0.0),
                    status=hit.get("status"),
                    client=hit.get("client"),
                    snippets=snippets,
                )
            )
        return hits

    def doc_count(self) -> int:
        with self._lock:
            searcher = self._current_searcher()
            return int(searcher.doc_count()) if searcher is not None else 0

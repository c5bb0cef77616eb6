"""The Whoosh index: built from the database, fed by the outbox, searched by anyone.

Whoosh allows one writer per index (a second process gets LockError at once) and
its multi-file index is not crash safe, so here it is treated as derived data:

- one writer: only the worker drains the outbox (``drain``) and it takes the
  writer with a timeout, retrying next round if another process holds it;
- batched commits: one commit per drained batch, not one per change;
- checked on open: a missing, unreadable or older-schema index is rebuilt from the
  database (``rebuild`` writes a new index beside the old one and swaps it in);
- exactly once: outbox rows are deleted only after the index committed them, and
  documents are keyed (``update_document``), so replaying a batch after a crash
  changes nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import col, select
from whoosh import highlight, index
from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import DATETIME, ID, NUMERIC, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.qparser import MultifieldParser
from whoosh.query import And, Query, Term

from ..enums import Priority, Status
from ..errors import RegentraError, ValidationError
from ..store.engine import Database
from ..store.models import IndexOutbox, KBArticle, Ticket
from .documents import SearchHit, Snippet, kb_documents, ticket_documents

SCHEMA_VERSION = "1"
MAX_QUERY_LENGTH = 500
WRITER_TIMEOUT = 2.0
_START, _END = "\ue000", "\ue001"
"""Private-use marks around matched words in snippets (never typed by people)."""


class SearchBusy(RegentraError):
    """Another process holds the index writer; try again shortly."""


def index_path_for(database_url: str, data_dir: Path) -> Path:
    """Where the index of a database lives: beside a SQLite file, else in data_dir."""
    if database_url.startswith("sqlite:///"):
        file = Path(database_url.removeprefix("sqlite:///"))
        return file.with_name(file.name + ".index")
    digest = hashlib.sha1(database_url.encode()).hexdigest()[:12]
    return data_dir / f"index-{digest}"


def schema() -> Schema:
    words = StemmingAnalyzer()
    return Schema(
        doc_id=ID(unique=True, stored=True),
        kind=ID(stored=True),
        key=ID(stored=True),
        number=NUMERIC(stored=True, signed=False),
        title=TEXT(stored=True, analyzer=words, field_boost=2.0),
        body=TEXT(stored=True, analyzer=words),
        notes=TEXT(stored=True, analyzer=words),
        status=ID(stored=True),
        priority=ID(stored=True),
        client=TEXT(stored=True, analyzer=StandardAnalyzer()),
        assignee=ID(stored=True),
        created=DATETIME(stored=True),
        updated=DATETIME(stored=True),
    )


_SCHEMA = schema()


def _open(path: Path) -> index.Index:
    """Open without mmap: a segment file truncated or replaced under a memory map
    kills the process with SIGBUS, while a plain read fails with an error we handle.
    """
    return FileStorage(str(path), supports_mmap=False).open_index()


class _Marks(highlight.Formatter):  # type: ignore[misc]  # Whoosh is untyped
    """Wraps matched words in private-use marks, so callers can style them literally."""

    between = " … "

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return _START + str(highlight.get_text(text, token, replace)) + _END


def _pieces(marked: str) -> tuple[tuple[str, bool], ...]:
    pieces: list[tuple[str, bool]] = []
    for part in re.split(f"({_START}.*?{_END})", marked):
        if not part:
            continue
        if part.startswith(_START):
            pieces.append((part[1:-1], True))
        else:
            pieces.append((part.replace(_START, "").replace(_END, ""), False))
    return tuple(pieces)


_FIELD_VALUE = re.compile(r"\b(status|priority):(\S+)", re.IGNORECASE)


def _normalise_fields(text: str) -> str:
    """``status:in-progress`` and ``priority:HIGH`` as the index spells them."""

    def fix(match: re.Match[str]) -> str:
        name, value = match.group(1).lower(), match.group(2)
        try:
            parsed = Status.parse(value) if name == "status" else Priority.parse(value)
        except ValidationError:
            return match.group(0)
        return f"{name}:{parsed.value}"

    return _FIELD_VALUE.sub(fix, text)


class SearchIndex:
    """One database's search index, at ``path``."""

    def __init__(self, path: Path, db: Database) -> None:
        self.path = path
        self.db = db
        self._ix: index.Index | None = None
        self._searcher: Any = None
        self._lock = threading.RLock()
        """Whoosh searchers are not shared between threads: one search at a time."""

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

        Opening a large index costs a few hundred milliseconds, so it is opened once
        per process and its searcher refreshed, not reopened, for each query.
        """
        if self._ix is None or not self.path.exists():
            if not self.is_healthy():
                self.rebuild()
            self._ix = _open(self.path)
            self._searcher = None
        return self._ix

    def _current_searcher(self) -> Any:
        try:
            ix = self.ensure()
            if self._searcher is None:
                self._searcher = ix.searcher()
            else:
                self._searcher = self._searcher.refresh()
        except Exception:  # noqa: BLE001 - damaged under us: check, rebuild, reopen
            self.close()
            ix = self.ensure()
            self._searcher = ix.searcher()
        return self._searcher

    def close(self) -> None:
        """Release the cached searcher's files."""
        if self._searcher is not None:
            self._searcher.close()
        self._searcher = None
        self._ix = None

    # -- writing (the worker) --------------------------------------------------------

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Build a fresh index from the database beside the old one, then swap it in."""
        with self.db.read() as s:
            high_water = s.exec(select(func.max(IndexOutbox.id))).one() or 0
            ticket_ids = list(s.exec(select(Ticket.id)).all())
            kb_count = s.exec(select(func.count()).select_from(KBArticle)).one()
        total = len(ticket_ids) + int(kb_count)
        fresh = self.path.with_name(f"{self.path.name}.new-{os.getpid()}")
        shutil.rmtree(fresh, ignore_errors=True)
        fresh.mkdir(parents=True)
        ix = index.create_in(str(fresh), schema())
        writer = ix.writer(limitmb=256)
        done = 0
        try:
            with self.db.read() as s:
                for doc in kb_documents(s):
                    writer.add_document(**doc)
                    done += 1
                for start in range(0, len(ticket_ids), 2000):
                    chunk = [i for i in ticket_ids[start : start + 2000] if i is not None]
                    for doc in ticket_documents(s, chunk):
                        writer.add_document(**doc)
                        done += 1
                    if progress is not None:
                        progress(done, total)
            writer.commit()
        except BaseException:
            writer.cancel()
            shutil.rmtree(fresh, ignore_errors=True)
            raise
        self._version_file(fresh).write_text(SCHEMA_VERSION)
        old = self.path.with_name(f"{self.path.name}.old-{os.getpid()}")
        if self.path.exists():
            self.path.rename(old)
        fresh.rename(self.path)
        shutil.rmtree(old, ignore_errors=True)
        with self._lock:
            self.close()
        with self.db.write() as s:
            s.execute(delete(IndexOutbox).where(col(IndexOutbox.id) <= high_water))
        if progress is not None:
            progress(total, total)
        return done

    def drain(
        self, *, batch: int = 2000, after_index_commit: Callable[[], None] | None = None
    ) -> int:
        """Index what the outbox names, then delete those rows; returns rows drained.

        ``after_index_commit`` exists for tests that simulate a crash between the
        index commit and the outbox delete.
        """
        with self.db.read() as s:
            rows = s.exec(select(IndexOutbox).order_by(col(IndexOutbox.id)).limit(batch)).all()
        if not rows:
            return 0
        ix = self.ensure()
        ticket_ids = {r.ticket_id for r in rows if r.ticket_id is not None}
        kb_ids = {r.kb_id for r in rows if r.kb_id is not None}
        with self.db.read() as s:
            docs = list(ticket_documents(s, ticket_ids))
            if kb_ids:
                docs += list(kb_documents(s, kb_ids))
        try:
            writer = ix.writer(timeout=WRITER_TIMEOUT)
        except LockError:
            raise SearchBusy("another process is writing the search index") from None
        try:
            for doc in docs:
                writer.update_document(**doc)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        if after_index_commit is not None:
            after_index_commit()
        drained = [r.id for r in rows]
        with self.db.write() as s:
            s.execute(delete(IndexOutbox).where(col(IndexOutbox.id).in_(drained)))
        return len(rows)

    def pending(self) -> int:
        """Outbox rows not yet indexed."""
        with self.db.read() as s:
            return int(s.exec(select(func.count()).select_from(IndexOutbox)).one())

    # -- reading (anyone) ------------------------------------------------------------

    def search(self, text: str, *, limit: int = 50, kind: str | None = None) -> list[SearchHit]:
        """Ranked (BM25F) hits with highlighted snippets; bad queries are one clear error.

        Words, "phrases", prefixes (``print*``) and field filters (``client:acme
        status:open priority:high assignee:bob``) combine; words are ANDed.
        """
        cleaned = text.strip()
        if not cleaned:
            raise ValidationError("type something to search for")
        if len(cleaned) > MAX_QUERY_LENGTH:
            raise ValidationError(f"a search is at most {MAX_QUERY_LENGTH} characters")
        # Our schema, not ix.schema: that property rereads the index's TOC every time.
        parser = MultifieldParser(["title", "body", "notes"], _SCHEMA)
        try:
            query: Query = parser.parse(_normalise_fields(cleaned))
        except Exception as exc:  # noqa: BLE001 - Whoosh raises many kinds
            raise ValidationError(f"cannot understand the search {cleaned!r}: {exc}") from exc
        if kind is not None:
            query = And([query, Term("kind", kind)])
        with self._lock:
            try:
                return self._run(query, limit)
            except RegentraError:
                raise
            except Exception:  # noqa: BLE001 - maybe the index is damaged: check and retry
                self.close()
                if not self.is_healthy():
                    self.rebuild()
            try:
                return self._run(query, limit)
            except RegentraError:
                raise
            except Exception as exc:  # noqa: BLE001 - e.g. a pathological wildcard
                raise ValidationError(f"cannot run the search {cleaned!r}: {exc}") from exc

    def _run(self, query: Query, limit: int) -> list[SearchHit]:
        hits: list[SearchHit] = []
        searcher = self._current_searcher()
        results = searcher.search(query, limit=limit)
        results.formatter = _Marks()
        results.fragmenter = highlight.ContextFragmenter(maxchars=160, surround=40)
        for hit in results:
            snippets = []
            for name in ("title", "body", "notes"):
                marked = hit.highlights(name, top=2)
                if marked and _START in marked:
                    snippets.append(Snippet(name, _pieces(marked)))
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
            return int(self._current_searcher().doc_count())

"""PostgreSQL's own full-text search: the same searches, answered by the database.

With ``search_engine = "postgresql"`` every host of a desk answers a search from the
one database: no index folder per host, no host whose index lags behind another's.
The documents are the Whoosh index's (``documents.py``: capped text, the filter
fields), kept in ``search_document`` with a weighted ``tsvector`` (subject A,
description and replies B, notes C) under a GIN index, fed from the same outbox.

- The query language is the Whoosh engine's: Whoosh's parser reads it (so the same
  syntax and the same clear errors), and the parsed query is translated into one
  ``tsquery`` for the words and SQL conditions for the field filters. Words reach
  PostgreSQL unstemmed and its English stemmer stems them, as it stemmed the
  documents. Its stop-word list is not used (migration 0014): single words on
  Whoosh's list are dropped here, and phrases match word for word.
- Exactly once without care: a drain writes documents and deletes the outbox rows
  it read in one transaction, rows taken ``FOR UPDATE SKIP LOCKED``, so two
  drainers never take the same rows.
- A rebuild replaces every document in one transaction: searches meanwhile see
  the previous documents, not a half-built set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    and_,
    bindparam,
    delete,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col
from whoosh import query as wq
from whoosh.analysis import STOP_WORDS, SimpleAnalyzer
from whoosh.fields import ID, NUMERIC, TEXT, Schema
from whoosh.qparser import QueryParser

from ..errors import SearchBusy, ValidationError
from ..store.engine import Database
from ..store.models import IndexOutbox
from . import documents
from .documents import SearchHit, SearchResults, Snippet, kb_documents, ticket_documents
from .fallback import answer_from_database, numbers_from_database
from .rebuilding import Progress, Rebuild, Rebuilds
from .snippets import pieces as snippet_pieces
from .syntax import checked, normalise_fields
from .words import MIN_SIZE, stem_word

VERSION = "2"
"""The build of ``search_document`` this code writes; another one is rebuilt.
2: a ticket's resolution note is in its body."""

METADATA = MetaData()
"""The search tables, apart from the models: only PostgreSQL desks have them."""
DOCUMENTS = Table(
    "search_document",
    METADATA,
    Column("doc_id", Text, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("number", Integer),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("notes", Text, nullable=False),
    Column("status", Text),
    Column("priority", Text),
    Column("client", Text),
    Column("assignee", Text),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("words", TSVECTOR, nullable=False),
    Index("ix_search_document_words", "words", postgresql_using="gin"),
)
STATE = Table(
    "search_state",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("version", Text, nullable=False),
)

_ENGLISH: ColumnElement[Any] = literal_column("'regentra_english'::regconfig")
"""English stemming without PostgreSQL's stop words (migration 0014)."""
_SIMPLE: ColumnElement[Any] = literal_column("'simple'::regconfig")
_WEIGHTS = {"title": "A", "body": "B", "notes": "C"}
_TEXT_FIELDS = ("words", "title", "body", "notes")
_FILTER_FIELDS = ("status", "priority", "assignee", "kind")
_REBUILD_LOCK = "regentra:search-rebuild"
_TOO_LONG = "54000"
"""PostgreSQL's program_limit_exceeded: a tsvector over 1 MB."""
SHORTENED = 20_000
"""Characters of body and notes kept for a document whose words exceed a tsvector."""


def _weighted(name: str) -> Any:
    vector = func.to_tsvector(_ENGLISH, bindparam(name, type_=Text))
    return func.setweight(vector, literal_column(f"'{_WEIGHTS[name]}'"))


_UPSERT = pg_insert(DOCUMENTS).values(
    {c.name: bindparam(c.name) for c in DOCUMENTS.columns if c.name != "words"}
    | {"words": _weighted("title").op("||")(_weighted("body")).op("||")(_weighted("notes"))}
)
_UPSERT = _UPSERT.on_conflict_do_update(
    index_elements=[DOCUMENTS.c.doc_id],
    set_={c.name: _UPSERT.excluded[c.name] for c in DOCUMENTS.columns if c.name != "doc_id"},
)

_PARSE_SCHEMA = Schema(
    **{name: TEXT(analyzer=SimpleAnalyzer()) for name in (*_TEXT_FIELDS, "client")},
    **{name: ID() for name in _FILTER_FIELDS},
    number=NUMERIC(signed=False),
)
"""The query language's fields, words only lower-cased (PostgreSQL stems them)."""


def _row(doc: dict[str, Any]) -> dict[str, Any]:
    updated: datetime = doc["updated"]
    return {
        "doc_id": doc["doc_id"],
        "kind": doc["kind"],
        "key": doc["key"],
        "number": doc.get("number"),
        "title": doc["title"],
        "body": doc["body"],
        "notes": doc["notes"],
        "status": doc.get("status"),
        "priority": doc.get("priority"),
        "client": doc.get("client") or None,
        "assignee": doc.get("assignee") or None,
        "updated_at": updated.replace(tzinfo=UTC),
    }


# -- the query, translated -------------------------------------------------------------


@dataclass
class _Words:
    """A part of the query that only looks at words: one ``tsquery``."""

    tsquery: str


@dataclass
class _Where:
    """A part with a field filter in it: an SQL condition."""

    clause: ColumnElement[bool]


@dataclass
class Translation:
    """The parsed query as SQL, and what its snippets mark."""

    condition: ColumnElement[bool]
    rank_query: str
    stems: dict[str, set[str]] = field(default_factory=dict)
    prefixes: dict[str, set[str]] = field(default_factory=dict)


def _lexeme(word: str, field_name: str, *, prefix: bool = False) -> str | None:
    """``word`` quoted for ``to_tsquery``, limited to one field by its weight."""
    kept = "".join(c for c in word.lower() if c.isalnum() or c in "._")
    if not kept:
        return None
    suffix = ("*" if prefix else "") + _WEIGHTS.get(field_name, "")
    return f"'{kept}'" + (f":{suffix}" if suffix else "")


def _ignored(word: str) -> bool:
    lowered = word.lower()
    return len(lowered) < MIN_SIZE or lowered in STOP_WORDS


def _matches(tsquery: str) -> ColumnElement[bool]:
    return DOCUMENTS.c.words.op("@@")(func.to_tsquery(_ENGLISH, literal(tsquery, Text)))


def _client_matches(tsquery: str) -> ColumnElement[bool]:
    vector = func.to_tsvector(_SIMPLE, func.coalesce(DOCUMENTS.c.client, ""))
    return vector.op("@@")(func.to_tsquery(_SIMPLE, literal(tsquery, Text)))


class _Translator:
    def __init__(self) -> None:
        self.ranked: list[str] = []
        self.stems: dict[str, set[str]] = {name: set() for name in _WEIGHTS}
        self.prefixes: dict[str, set[str]] = {name: set() for name in _WEIGHTS}

    def _remember(self, field_name: str, words: Iterable[str], *, prefix: bool) -> None:
        fields = _WEIGHTS if field_name == "words" else (field_name,)
        for name in fields:
            for word in words:
                lowered = word.lower()
                if prefix:
                    self.prefixes[name].add(lowered)
                else:
                    self.stems[name].add(stem_word(lowered))

    def part(self, q: Any, negated: bool = False) -> _Words | _Where | None:
        """One node of Whoosh's query; None for a node that stands for nothing."""
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return None
        if isinstance(q, wq.Not):
            inner = self.part(q.query, not negated)
            if inner is None:
                return None
            if isinstance(inner, _Words):
                return _Words(f"!({inner.tsquery})")
            return _Where(not_(inner.clause))
        if isinstance(q, wq.AndNot):
            return self._all([q.a, wq.Not(q.b)], negated)
        if isinstance(q, (wq.AndMaybe, wq.Otherwise)):
            return self.part(q.a, negated)
        if isinstance(q, (wq.And, wq.Require, wq.Sequence)):
            return self._all(q.children(), negated)
        if isinstance(q, (wq.Or, wq.DisjunctionMax)):
            return self._any(q.children(), negated)
        return self._leaf(q, negated)

    def _all(self, children: Iterable[Any], negated: bool) -> _Words | _Where | None:
        parts = [p for p in (self.part(c, negated) for c in children) if p is not None]
        words = [p.tsquery for p in parts if isinstance(p, _Words)]
        wheres = [p.clause for p in parts if isinstance(p, _Where)]
        if not parts:
            return None
        joined = " & ".join(f"({w})" for w in words)
        if not wheres:
            return _Words(joined)
        return _Where(and_(*wheres, *([_matches(joined)] if words else [])))

    def _any(self, children: Iterable[Any], negated: bool) -> _Words | _Where | None:
        parts = [p for p in (self.part(c, negated) for c in children) if p is not None]
        if not parts:
            return None
        if all(isinstance(p, _Words) for p in parts):
            return _Words(" | ".join(f"({p.tsquery})" for p in parts if isinstance(p, _Words)))
        return _Where(
            or_(*(p.clause if isinstance(p, _Where) else _matches(p.tsquery) for p in parts))
        )

    def _leaf(self, q: Any, negated: bool) -> _Words | _Where | None:
        name = getattr(q, "fieldname", None)
        if isinstance(q, wq.Every):
            return _Where(true())
        if isinstance(q, wq.Wildcard):
            pattern: str = q.text
            if "?" in pattern or "*" in pattern.rstrip("*") or not pattern.rstrip("*"):
                raise ValidationError(
                    f"PostgreSQL search matches the beginning of a word (print*), not "
                    f"? or * inside one: {pattern!r}"
                )
            q = wq.Prefix(name, pattern.rstrip("*"))
        if isinstance(q, wq.NumericRange) and name == "number":
            low = q.start if q.start is not None else 0
            clause = DOCUMENTS.c.number >= low
            if q.end is not None:
                clause = and_(clause, DOCUMENTS.c.number <= q.end)
            return _Where(clause)
        if isinstance(q, (wq.Term, wq.FuzzyTerm, wq.Variations)):
            return self._words(name, [str(q.text)], q, negated)
        if isinstance(q, wq.Phrase):
            return self._words(name, [str(w) for w in q.words], q, negated)
        if isinstance(q, wq.Prefix):
            return self._words(name, [str(q.text)], q, negated, prefix=True)
        raise ValidationError(f"PostgreSQL search cannot run this part of the search: {q}")

    def _words(
        self, name: str | None, words: list[str], q: Any, negated: bool, *, prefix: bool = False
    ) -> _Words | _Where | None:
        if name in _FILTER_FIELDS:
            column = DOCUMENTS.c[name]
            value = " ".join(words)
            return _Where(column.startswith(value) if prefix else column == value)
        if name == "number":
            try:  # the parser hands a number over encoded as Whoosh indexes it
                value = q.text
                number = (
                    _PARSE_SCHEMA["number"].from_bytes(value)
                    if isinstance(value, bytes)
                    else int(value)
                )
            except (TypeError, ValueError):
                return _Where(false())
            return _Where(DOCUMENTS.c.number == number)
        if name == "client":
            found = [x for x in (_lexeme(w, name, prefix=prefix) for w in words) if x]
            return _Where(_client_matches(" <-> ".join(found))) if found else None
        if name not in _TEXT_FIELDS:
            raise ValidationError(f"there is no field {name!r} to search")
        assert name is not None
        if len(words) == 1 and not prefix and _ignored(words[0]):
            return None  # a stop word alone, ignored as the Whoosh engine ignores it
        lexemes = [x for x in (_lexeme(w, name, prefix=prefix) for w in words) if x]
        if not lexemes:
            return None
        tsquery = " <-> ".join(lexemes)
        if not negated:
            self.ranked.append(tsquery)
            self._remember(name, words, prefix=prefix)
        return _Words(tsquery)


def translate(text_query: str) -> Translation | None:
    """The search as SQL; None when it stands for nothing (``:`` or ``(``)."""
    parser = QueryParser("words", _PARSE_SCHEMA)
    try:
        parsed = parser.parse(normalise_fields(text_query))
    except Exception as exc:  # noqa: BLE001 - Whoosh raises many kinds
        raise ValidationError(f"cannot understand the search {text_query!r}: {exc}") from exc
    translator = _Translator()
    part = translator.part(parsed)
    if part is None:
        return None
    condition = _matches(part.tsquery) if isinstance(part, _Words) else part.clause
    return Translation(
        condition,
        " | ".join(f"({r})" for r in translator.ranked),
        translator.stems,
        translator.prefixes,
    )


# -- the engine ------------------------------------------------------------------------


class PostgresSearch(Rebuilds):
    """One PostgreSQL desk's search, in its own tables (a ``SearchEngine``)."""

    def __init__(self, db: Database, *, procs: int = 1) -> None:
        if db.engine.dialect.name != "postgresql":
            raise ValidationError(
                "search_engine = 'postgresql' needs a PostgreSQL database_url; "
                "a SQLite desk searches with Whoosh (search_engine = 'whoosh')"
            )
        self.db = db
        self.procs = procs
        """Ignored: PostgreSQL analyses the text itself, in the server."""

    @property
    def location(self) -> str:
        return f"PostgreSQL full-text search in {self.db.display_url}"

    # -- state -----------------------------------------------------------------------

    def _healthy(self, s: Session) -> bool:
        found = s.execute(select(STATE.c.version).where(STATE.c.id == 1)).scalar()
        return bool(found == VERSION)

    def is_healthy(self) -> bool:
        """True when a complete build of the current version is in place."""
        with self.db.read() as s:
            return self._healthy(s)

    def ensure(self) -> None:
        """Build the documents if they were never built (or by an older version)."""
        if not self.is_healthy():
            self.rebuild(only_if_unhealthy=True)

    def close(self) -> None:
        """Nothing is held between searches (the database pool is the desk's)."""

    # -- writing (the worker) --------------------------------------------------------

    def _store(self, s: Session, docs: list[dict[str, Any]]) -> None:
        """Upsert documents; one whose words exceed a tsvector (1 MB) is kept with
        the beginning of its body and notes only, instead of failing its batch."""
        rows = sorted((_row(d) for d in docs), key=lambda r: str(r["doc_id"]))
        if not rows:
            return
        try:
            with s.begin_nested():
                s.execute(_UPSERT, rows)
            return
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) != _TOO_LONG:
                raise
        for row in rows:
            try:
                with s.begin_nested():
                    s.execute(_UPSERT, [row])
            except DBAPIError as exc:
                if getattr(exc.orig, "sqlstate", None) != _TOO_LONG:
                    raise
                short = dict(row, body=row["body"][:SHORTENED], notes=row["notes"][:SHORTENED])
                with s.begin_nested():
                    s.execute(_UPSERT, [short])

    def _rebuild(self, progress: Progress | None, only_if_unhealthy: bool, wait: bool) -> int:
        """Every document written anew in one transaction (one rebuilder at a time;
        without ``wait``, a rebuild under way elsewhere raises ``SearchBusy``)."""
        with self.db.write() as s:
            lock = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
            taken = s.execute(
                sql_text(f"SELECT {lock}(hashtextextended(:key, 0))"), {"key": _REBUILD_LOCK}
            ).scalar()
            if taken is False:
                raise SearchBusy("another process is building the search documents")
            if only_if_unhealthy and self._healthy(s):
                return 0
            build = Rebuild.plan(s, progress)
            s.execute(delete(DOCUMENTS))
            for batch in build.batches(s, 500):
                self._store(s, list(batch))
            upsert = pg_insert(STATE).values(id=1, version=VERSION)
            s.execute(
                upsert.on_conflict_do_update(index_elements=[STATE.c.id], set_={"version": VERSION})
            )
            build.forget_outbox(s)
        return build.finish()

    def drain(
        self,
        *,
        batch: int = 2000,
        after_index_commit: Callable[[], None] | None = None,
        writer_timeout: float = 0.0,
    ) -> int:
        """Write what the outbox names and delete those rows, in one transaction.

        Nothing is waited for, so ``writer_timeout`` is met whatever it is: rows
        another drainer holds are skipped (``SKIP LOCKED``), and the rows are deleted
        with the documents they produced. ``after_index_commit`` runs before that
        commit (tests crash there: nothing of the batch remains done).
        """
        rebuilt = 0 if self.is_healthy() else self.rebuild(only_if_unhealthy=True)
        with self.db.write() as s:
            rows = s.execute(
                select(col(IndexOutbox.id), col(IndexOutbox.ticket_id), col(IndexOutbox.kb_id))
                .order_by(col(IndexOutbox.id))
                .limit(batch)
                .with_for_update(skip_locked=True)
            ).all()
            if not rows:
                return rebuilt
            ticket_ids = {t for _, t, _ in rows if t is not None}
            kb_ids = {k for _, _, k in rows if k is not None}
            docs = list(ticket_documents(s, ticket_ids))
            if kb_ids:
                docs += list(kb_documents(s, kb_ids))
            self._store(s, docs)
            gone = {f"t:{t}" for t in ticket_ids} | {f"kb:{k}" for k in kb_ids}
            gone -= {str(d["doc_id"]) for d in docs}
            if gone:  # an article deleted since: its document goes too
                s.execute(delete(DOCUMENTS).where(DOCUMENTS.c.doc_id.in_(sorted(gone))))
            s.execute(delete(IndexOutbox).where(col(IndexOutbox.id).in_([r[0] for r in rows])))
            if after_index_commit is not None:
                after_index_commit()
        return rebuilt + len(rows)

    def pending(self) -> int:
        """Outbox rows not yet written into the documents."""
        with self.db.read() as s:
            return int(s.execute(select(func.count()).select_from(IndexOutbox)).scalar() or 0)

    def doc_count(self) -> int:
        with self.db.read() as s:
            return int(s.execute(select(func.count()).select_from(DOCUMENTS)).scalar() or 0)

    # -- reading (anyone) ------------------------------------------------------------

    def search(self, text: str, *, limit: int = 50, kind: str | None = None) -> SearchResults:
        """Ranked hits (``ts_rank``: subjects weigh most) with marked snippets.

        The same language as the Whoosh engine; until the documents are first built
        the answer comes from the database and is marked incomplete.
        """
        cleaned = checked(text)
        translation = translate(cleaned)
        with self.db.read() as s:
            if not self._healthy(s):
                return answer_from_database(self.db, cleaned, limit, kind)
            if translation is None:
                return SearchResults([])
            rank: Any = (
                func.ts_rank(
                    DOCUMENTS.c.words,
                    func.to_tsquery(_ENGLISH, literal(translation.rank_query, Text)),
                    1,
                )
                if translation.rank_query
                else literal(0.0)
            )
            query = select(
                DOCUMENTS.c.kind,
                DOCUMENTS.c.key,
                DOCUMENTS.c.title,
                DOCUMENTS.c.body,
                DOCUMENTS.c.notes,
                DOCUMENTS.c.status,
                DOCUMENTS.c.client,
                rank.label("rank"),
            ).where(translation.condition)
            if kind is not None:
                query = query.where(DOCUMENTS.c.kind == kind)
            query = query.order_by(
                literal_column("rank").desc(),
                DOCUMENTS.c.updated_at.desc(),
                DOCUMENTS.c.doc_id,  # ties in one order every time: a list pages stably
            ).limit(limit)
            found = s.execute(query).all()
        return SearchResults(self._hit(row, translation) for row in found)

    def warm(self) -> None:
        """Nothing to read ahead: PostgreSQL keeps its own caches, shared by every
        process, and a search reads ticket numbers from its table, not a column."""

    def matching(self, text: str) -> documents.Matches:
        """Every ticket the search matches: its numbers, unranked, in one query."""
        cleaned = checked(text)
        translation = translate(cleaned)
        with self.db.read() as s:
            if not self._healthy(s):
                return numbers_from_database(self.db, cleaned)
            if translation is None:
                return documents.Matches(frozenset())
            query = select(DOCUMENTS.c.number).where(
                translation.condition, DOCUMENTS.c.kind == "ticket"
            )
            return documents.Matches(frozenset(n for (n,) in s.execute(query) if n is not None))

    @staticmethod
    def _hit(row: Any, translation: Translation) -> SearchHit:
        kind, key, title, body, notes, status, client, rank = row
        snippets = []
        for name, value in (("title", title), ("body", body), ("notes", notes)):
            pieces = (
                snippet_pieces(value, translation.stems[name], translation.prefixes[name])
                if value
                else None
            )
            if pieces:
                snippets.append(Snippet(name, pieces))
        return SearchHit(
            kind=kind,
            key=key,
            title=title,
            score=float(rank or 0.0),
            status=status,
            client=client,
            snippets=snippets,
        )

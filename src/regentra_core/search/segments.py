"""What each of the index's segments answered, kept while the segment lives.

A search that filters the board names every ticket it matched: a common word on a
large desk is 100,000 tickets, and Whoosh finds them a posting at a time, in
microseconds each (a second at 100k). The board asks again after every change on
the desk while the search stays typed. But Whoosh never changes a segment once
written (new documents go to new segments, a merge writes a new one and drops the
old), so what a segment matched, and its documents' ticket numbers, hold for as long
as it exists: only its deletions grow, and those are checked on every answer. Each
later answer walks only the segments written since.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Collection, Iterable
from operator import itemgetter
from typing import Any

from whoosh.query import And, MultiTerm, Or, Term

from .postings import document_ids

MATCHES_HELD = 2_000_000
"""Document numbers kept across all remembered answers (4 bytes each): two answers
of a common word at 1M tickets; the least recently asked go first."""


class SegmentAnswers:
    """Per segment: its ``number`` column, and the documents each query matched."""

    def __init__(self, held: int = MATCHES_HELD) -> None:
        self._held = held
        self._columns: dict[str, array[int]] = {}
        self._matches: OrderedDict[tuple[str, str], array[int]] = OrderedDict()
        self._size = 0

    def numbers(self, searcher: Any, query: Any) -> frozenset[int]:
        """The ticket numbers of the documents ``query`` matches (articles have none)."""
        asked = repr(query)
        found: set[int] = set()
        for segment, sub, reader in self._segments(searcher):
            docs = self._matched(segment, asked, sub, query)
            if not docs:
                continue
            column = self._column(segment, reader)
            if reader.has_deletions():  # an old version (a ticket indexed again since)
                found.update(_numbers_of(column, _live(reader, docs)))
            else:
                found.update(_numbers_of(column, docs))
        found.discard(0)
        return frozenset(found)

    def read_columns(self, searcher: Any) -> None:
        """Read every segment's numbers now (the first search of a common word would
        otherwise read them, a third of its time at 100k tickets), and its deleted
        documents (a rare word's first search read them: most of its time)."""
        for segment, _sub, reader in self._segments(searcher):
            self._column(segment, reader)
            if reader.has_deletions():
                getattr(reader, "deleted_docs_set", None)  # read once, kept by the reader

    def _segments(self, searcher: Any) -> list[tuple[str, Any, Any]]:
        """Each segment the searcher reads (id, its own searcher, its reader); what
        segments merged away answered is forgotten first."""
        leaves = []
        for sub, _offset in searcher.subsearchers or [(searcher, 0)]:
            reader = sub.reader()
            leaves.append((reader.segment().segment_id(), sub, reader))
        self._forget_all_but({segment for segment, _, _ in leaves})
        return leaves

    def _column(self, segment: str, reader: Any) -> array[int]:
        column = self._columns.get(segment)
        if column is None:
            column = self._columns[segment] = array("q", reader.column_reader("number"))
        return column

    def _matched(self, segment: str, asked: str, sub: Any, query: Any) -> array[int]:
        key = (segment, asked)
        docs = self._matches.get(key)
        if docs is not None:
            self._matches.move_to_end(key)
            return docs
        docs = array("i", _documents(query, sub))
        self._matches[key] = docs
        self._size += len(docs)
        while self._size > self._held and len(self._matches) > 1:
            _, dropped = self._matches.popitem(last=False)
            self._size -= len(dropped)
        return docs

    def _forget_all_but(self, live: set[str]) -> None:
        """Segments a merge replaced are gone for good: so is what they answered."""
        for segment in set(self._columns) - live:
            del self._columns[segment]
        for key in [key for key in self._matches if key[0] not in live]:
            self._size -= len(self._matches.pop(key))


def _numbers_of(column: array[int], docs: Collection[int]) -> Iterable[int]:
    """The ticket numbers of ``docs`` (one ``itemgetter`` call: a loop in C)."""
    if len(docs) < 2:
        return [column[doc] for doc in docs]
    return itemgetter(*docs)(column)  # type: ignore[no-any-return]


def _live(reader: Any, docs: array[int]) -> set[int]:
    """``docs`` less the segment's deleted documents (one set difference)."""
    deleted = getattr(reader, "deleted_docs_set", None)
    if deleted is None:
        return {doc for doc in docs if not reader.is_deleted(doc)}
    live = set(docs)
    live.difference_update(deleted)
    return live


def _documents(query: Any, searcher: Any) -> set[int]:
    """The segment's documents ``query`` matches (deleted ones too: ``numbers`` leaves
    them out), as sets: a word's postings are read once each, straight from its
    posting blocks (``postings.document_ids``), not stepped through together by
    Whoosh's union and intersection matchers. What is not a word, a prefix or
    pattern, "or" or "and" is left to Whoosh."""
    kind = type(query)
    if kind is Term:
        return set(document_ids(searcher.reader(), query.fieldname, query.text))
    if isinstance(query, MultiTerm):  # a prefix, wildcard...: the words it stands for
        reader = searcher.reader()
        found: set[int] = set()
        for field, word in query.expanded_terms(reader):
            found.update(document_ids(reader, field, word))
        return found
    if kind is Or and not query.minmatch:
        found = set()
        for part in query.subqueries:
            found |= _documents(part, searcher)
        return found
    if kind is And and query.subqueries:
        parts = iter(query.subqueries)
        found = _documents(next(parts), searcher)
        for part in parts:
            if not found:
                break
            found &= _documents(part, searcher)
        return found
    return set(query.docs(searcher))

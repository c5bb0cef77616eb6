"""Whoosh's segment writer, reading each document's field lengths once per commit.

Writing a segment's postings, Whoosh asks the segment's length column for the
length of the document's field once per *posting*, each a seek and a read in the
column file: about 180 per ticket, an eighth of indexing. ``SegmentWriter`` here
hands the same question to a table of the lengths read once per field, and nothing
else changes: the same postings, the same files (a test compares the searches).
"""

from __future__ import annotations

from typing import Any

from whoosh.writing import SegmentWriter as _WhooshSegmentWriter


class _Lengths:
    """The per-document reader Whoosh passes to ``add_postings``, lengths cached."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._count = int(reader.doc_count_all())
        self._fields: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        lengths = self._fields.get(fieldname)
        if lengths is None:
            length = self._reader.doc_field_length
            lengths = [length(n, fieldname, default) for n in range(self._count)]
            self._fields[fieldname] = lengths
        return lengths[docnum] if docnum < self._count else default

    def close(self) -> None:
        self._reader.close()


class SegmentWriter(_WhooshSegmentWriter):  # type: ignore[misc]  # Whoosh is untyped
    """``ix.writer()``'s writer with the field lengths read once per commit.

    Overrides Whoosh 2.7's ``_flush_segment`` (the version is pinned in
    constraints.txt; the equivalence test fails if a new one changes it).
    """

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = _Lengths(self.per_document_reader()) if self.codec.length_stats else None
        self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        if lengths is not None:
            lengths.close()

"""A word's documents read straight from the index's posting blocks, unscored.

The board's search names every ticket a word is in: a common word on a large desk
is 100,000 postings per field. Whoosh steps through them a posting at a time
(``Matcher.all_ids``: four Python calls each), and to reach each block's document
numbers it inflates and unpickles the whole block, positions and weights included:
``printer*`` took a second at 100k tickets on the seeded desk's swept index.

Whoosh's block (``whoosh3`` codec) is a zlib-compressed pickle of ``(ids, weights,
values)`` whose first part, the documents as deltas, is at its start. So only the
first bytes of each block are inflated, just enough for its ids (a block says how
many), and they are unpickled alone: a tenth of the time. A block this does not
recognise (another codec, another pickle) is read by Whoosh itself, as is a whole
posting list this cannot read: the answer is the same either way (a test holds the
two to each other).

Deleted documents are not left out here (Whoosh's ``postings`` wraps them in a
filter): ``segments.SegmentAnswers`` keeps what a segment matched across searches
and checks deletions on every answer.
"""

from __future__ import annotations

import io
import pickle
import re
import struct
import zlib
from collections.abc import Iterable
from itertools import accumulate
from typing import Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermsReader

_BLOCK_LENGTH = struct.Struct("!i")

_IDS = re.compile(
    rb"\x80\x02(?:\((?:K.|M..|J....)*t|(?:K.|M..|J....){1,3}[\x85\x86\x87])", re.DOTALL
)
"""A pickle (protocol 2) of a tuple of non-negative ints, as a block starts: ``(``
the ints ``t``, or one to three ints and ``TUPLE1``-``TUPLE3``."""

_MOST_BYTES_AN_ID = 5
"""``J`` and four bytes: the longest a pickled id delta can be."""


def document_ids(reader: Any, field: str, text: str | bytes) -> Iterable[int]:
    """The documents of the segment ``reader`` holding ``text`` in ``field`` (deleted
    ones too); nothing when the word is not there."""
    if (field, text) not in reader:
        return ()
    terms = getattr(reader, "_terms", None)
    if isinstance(terms, W3TermsReader):
        try:
            return _read_blocks(reader, terms, field, text)
        except Exception:  # noqa: BLE001 - a layout this does not know: Whoosh's own way
            pass
    return list(reader.postings(field, text).all_ids())


def _read_blocks(reader: Any, terms: W3TermsReader, field: str, text: str | bytes) -> list[int]:
    terminfo = terms.term_info(field, reader._text_to_bytes(field, text))
    if terminfo.is_inlined():
        return list(terminfo.inlined_postings()[0])
    offset, length = terminfo.extent()
    if isinstance(length, tuple):  # whoosh3's term info unpacks it as a 1-tuple
        (length,) = length
    raw = terms._postfile.get(offset, length)
    if raw[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError("not a whoosh3 posting list")
    ids: list[int] = []
    stream = io.BytesIO(raw)
    position, last = 4, False
    while not last:
        (size,) = _BLOCK_LENGTH.unpack_from(raw, position)
        last = size < 0
        end = position + 4 + abs(size)
        stream.seek(position + 4)
        count, _top, _weight, compression, _low, _high = pickle.load(stream)
        ids.extend(accumulate(_deltas(memoryview(raw)[stream.tell() : end], count, compression)))
        position = end
    if position != len(raw):
        raise ValueError("the posting list does not end where its last block does")
    return ids


def _deltas(data: memoryview, count: int, compression: int) -> tuple[int, ...]:
    """A block's document numbers as deltas (the first from 0)."""
    wanted = 4 + count * _MOST_BYTES_AN_ID
    head = zlib.decompressobj().decompress(data, wanted) if compression else bytes(data[:wanted])
    found = _IDS.match(head)
    if found is not None:
        deltas: tuple[int, ...] = pickle.loads(found.group() + b".")
        if len(deltas) == count:
            return deltas
    whole = zlib.decompress(data) if compression else bytes(data)
    deltas = tuple(pickle.loads(whole)[0])
    if len(deltas) != count:
        raise ValueError("a posting block holds other than it says")
    return deltas

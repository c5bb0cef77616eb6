"""A word's documents read straight from Whoosh's posting blocks are exactly the
documents Whoosh's own matcher steps through (the board counts from them)."""

from __future__ import annotations

import random
import re

import pytest
from whoosh import index
from whoosh.fields import ID, NUMERIC, TEXT, Schema

from regentra_core.search import postings
from regentra_core.search.postings import document_ids

SCHEMA = Schema(key=ID(unique=True, stored=True), number=NUMERIC(sortable=True), body=TEXT)
WORDS = "printer toner scanner vpn laptop mailbox reset password".split()


@pytest.fixture
def whoosh_index(tmp_path):
    """Two segments, one with deletions; common words span many posting blocks
    (128 postings a block), rare ones a single short one."""
    rng = random.Random(30)
    ix = index.create_in(tmp_path, SCHEMA)
    for first, last in ((1, 700), (701, 1000)):
        writer = ix.writer()
        for n in range(first, last + 1):
            words = [w for w in WORDS if rng.random() < 0.9 / (WORDS.index(w) + 1)]
            words += [f"rare{n}"] if n % 97 == 0 else []
            writer.update_document(key=str(n), number=n, body=" ".join(words) or "empty")
        writer.commit(merge=False)
    writer = ix.writer()
    for n in range(5, 400, 7):  # documents deleted from the first segment
        writer.update_document(key=str(n), number=n, body="printer again")
    writer.commit(merge=False)
    return ix


def whoosh_own(reader, field, text) -> list[int]:
    """What Whoosh's matcher finds, deleted documents included."""
    tbytes = reader._text_to_bytes(field, text)
    return list(reader._terms.matcher(field, tbytes, reader.schema[field].format).all_ids())


def every_term(searcher):
    for sub, _ in searcher.subsearchers:
        reader = sub.reader()
        for field, text in reader.all_terms():
            if field == "body":
                yield reader, field, text


def test_every_words_documents_are_whooshs_own(whoosh_index):
    with whoosh_index.searcher() as searcher:
        terms = list(every_term(searcher))
        assert any(reader.doc_frequency(f, t) > 300 for reader, f, t in terms)  # many blocks
        assert any(reader.has_deletions() for reader, _, _ in terms)
        for reader, field, text in terms:
            read = postings._read_blocks(reader, reader._terms, field, text)  # not the fallback
            assert read == whoosh_own(reader, field, text)
            assert list(document_ids(reader, field, text)) == read


def test_a_block_it_cannot_read_is_read_by_whoosh_with_the_same_answer(whoosh_index, monkeypatch):
    monkeypatch.setattr(postings, "_IDS", re.compile(rb"(?!)"))  # never matches
    with whoosh_index.searcher() as searcher:
        for reader, field, text in every_term(searcher):
            assert list(document_ids(reader, field, text)) == whoosh_own(reader, field, text)


def test_a_posting_list_it_cannot_read_at_all_is_whooshs_answer(whoosh_index, monkeypatch):
    def broken(*_args):
        raise ValueError("an unknown layout")

    monkeypatch.setattr(postings, "_read_blocks", broken)
    with whoosh_index.searcher() as searcher:
        for reader, field, text in every_term(searcher):
            live = [d for d in whoosh_own(reader, field, text) if not reader.is_deleted(d)]
            assert list(document_ids(reader, field, text)) == live


def test_a_word_not_in_the_segment_has_no_documents(whoosh_index):
    with whoosh_index.searcher() as searcher:
        reader = searcher.subsearchers[0][0].reader()
        assert list(document_ids(reader, "body", "nowhere")) == []
        assert list(document_ids(reader, "body", b"nowhere")) == []

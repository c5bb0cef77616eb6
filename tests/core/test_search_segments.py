"""What each Whoosh segment answered is remembered while the segment lives, and the
answer is still exactly what Whoosh itself finds (the board counts from it)."""

from __future__ import annotations

import pytest
from whoosh import index
from whoosh.fields import ID, NUMERIC, TEXT, Schema
from whoosh.qparser import MultifieldParser

from regentra_core.enums import Channel, Priority
from regentra_core.search import open_engine
from regentra_core.search.segments import SegmentAnswers
from tests.conftest import NO_SPIKE

SCHEMA = Schema(key=ID(unique=True), number=NUMERIC(sortable=True), body=TEXT)


def parse(text: str):
    return MultifieldParser(["body"], SCHEMA).parse(text)


@pytest.fixture
def whoosh_index(tmp_path):
    ix = index.create_in(tmp_path, SCHEMA)
    add(ix, {1: "printer offline", 2: "printer jam", 3: "laptop slow"})
    return ix


def add(ix, bodies: dict[int, str]) -> None:
    """One commit: one new segment (never merged into the others)."""
    writer = ix.writer()
    for number, body in bodies.items():
        writer.update_document(key=str(number), number=number, body=body)
    writer.commit(merge=False)


def test_a_document_deleted_since_its_segment_answered_is_no_longer_matched(whoosh_index):
    answers = SegmentAnswers()
    with whoosh_index.searcher() as searcher:
        assert answers.numbers(searcher, parse("printer")) == {1, 2}
    add(whoosh_index, {2: "toner low"})  # ticket 2's old document is deleted
    with whoosh_index.searcher() as searcher:
        assert answers.numbers(searcher, parse("printer")) == {1}
        assert answers.numbers(searcher, parse("toner")) == {2}


def test_documents_written_later_are_matched_and_merged_segments_are_forgotten(whoosh_index):
    answers = SegmentAnswers()
    with whoosh_index.searcher() as searcher:
        assert answers.numbers(searcher, parse("printer")) == {1, 2}
    add(whoosh_index, {4: "printer again"})
    with whoosh_index.searcher() as searcher:
        assert answers.numbers(searcher, parse("printer")) == {1, 2, 4}
    whoosh_index.optimize()  # one segment replaces the three
    with whoosh_index.searcher() as searcher:
        assert answers.numbers(searcher, parse("printer")) == {1, 2, 4}
        (segment,) = {key for key, _ in answers._matches}
        assert segment == searcher.reader().segment().segment_id()


def test_answers_stay_right_when_what_is_remembered_is_over_its_budget(whoosh_index):
    answers = SegmentAnswers(held=2)
    with whoosh_index.searcher() as searcher:
        for _ in range(2):
            assert answers.numbers(searcher, parse("printer")) == {1, 2}
            assert answers.numbers(searcher, parse("slow OR jam")) == {2, 3}
            assert answers.numbers(searcher, parse("nothing")) == frozenset()
    assert answers._size <= 2


QUERIES = [
    "printer",
    "printer*",
    "print*",
    "printer error",
    "printer OR laptop",
    "printer NOT offline",
    '"printer shows"',
    "title:printer",
    "offlin~",
    "printer AND (offline OR slow)",
    "nothing",
]


@pytest.mark.parametrize("desk_config", [NO_SPIKE])
def test_the_numbers_matched_are_what_whoosh_itself_finds(desk, db, tmp_path):
    engine = open_engine("whoosh", db, tmp_path / "desk.db.index")
    subjects = ["Printer offline", "Printer jam", "Laptop slow", "Printers on floor 2"]
    for n, subject in enumerate(subjects * 3):
        desk.create_ticket(
            subject=f"{subject} {n}",
            description="The printer shows an error" if n % 2 else "Nothing to see",
            priority=Priority.MEDIUM,
            channel=Channel.MANUAL,
            contact_email=f"user{n}@acme.example",
        )
        engine.ensure()
        engine.drain()  # a segment a ticket or so
    from regentra_core.search.engine import _parsed

    with index.open_dir(tmp_path / "desk.db.index").searcher() as searcher:
        for text in QUERIES:
            whoosh = {hit["number"] for hit in searcher.search(_parsed(text), limit=None)}
            assert engine.matching(text).numbers == whoosh - {0}, text
            assert engine.matching(text).numbers == whoosh - {0}, text  # remembered
    engine.close()

"""A ticket's resolution note is searchable, on both engines, in the database's answer
while an index is rebuilt, and in an index built before notes were indexed."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from regentra_core.enums import Status
from regentra_core.search import PostgresSearch, SearchIndex, open_engine
from regentra_core.search.postgres import STATE
from tests.conftest import POSTGRES, SEARCH_ENGINES


@pytest.fixture(params=SEARCH_ENGINES)
def index(request, db, tmp_path):
    engine = open_engine(request.param, db, tmp_path / "desk.db.index")
    yield engine
    engine.close()


@pytest.fixture
def resolved(desk, new_ticket):
    """A ticket whose only mention of the fix is its resolution note."""
    t = new_ticket(subject="Printer streaks", description="Grey lines down every page")
    desk.change_status(t.number, Status.RESOLVED, resolution="Replaced the fuser assembly")
    return t.number


def test_a_resolution_note_is_found_by_its_words(index, resolved):
    index.drain()
    hits = index.search("fuser")
    assert [h.number for h in hits] == [resolved]
    assert any("fuser" in s.text.lower() for s in hits[0].snippets)


def test_a_resolution_written_later_is_searchable_once_drained(index, desk, new_ticket):
    t = new_ticket(subject="Scanner offline", description="Nothing scans")
    index.drain()
    assert not index.search("firmware")
    desk.change_status(t.number, Status.RESOLVED, resolution="Rolled the firmware back")
    index.drain()
    assert [h.number for h in index.search("firmware")] == [t.number]


def test_the_database_answer_during_a_rebuild_matches_resolutions(db, tmp_path, resolved):
    whoosh = SearchIndex(tmp_path / "broken.index", db)  # never built: answered from the db
    try:
        meanwhile = whoosh.search("fuser")
        assert [h.number for h in meanwhile] == [resolved] and not meanwhile.complete
        assert meanwhile.note and "resolutions" in meanwhile.note
    finally:
        whoosh.close()


def test_a_whoosh_index_built_before_resolutions_were_indexed_is_rebuilt(db, tmp_path, resolved):
    whoosh = SearchIndex(tmp_path / "old.index", db)
    try:
        whoosh.rebuild()
        assert whoosh.is_healthy()
        whoosh._version_file().write_text("3")  # as the code before wrote it
        assert not whoosh.is_healthy()
        whoosh.drain()  # the worker's catch-up rebuilds it
        assert whoosh.is_healthy()
        assert [h.number for h in whoosh.search("fuser")] == [resolved]
    finally:
        whoosh.close()


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL's search needs a PostgreSQL desk")
def test_a_postgresql_index_built_before_resolutions_were_indexed_is_rebuilt(db, resolved):
    engine = PostgresSearch(db)
    try:
        engine.rebuild()
        with db.write() as s:
            s.execute(update(STATE).where(STATE.c.id == 1).values(version="1"))
        assert not engine.is_healthy()
        engine.drain()
        assert engine.is_healthy()
        assert [h.number for h in engine.search("fuser")] == [resolved]
    finally:
        engine.close()

"""Both search engines satisfy one declared interface (search.SearchEngine, a Protocol)."""

from __future__ import annotations

import inspect

import pytest

from regentra_core.search import PostgresSearch, SearchEngine, SearchIndex, open_engine
from regentra_core.search.rebuilding import Rebuilds
from tests.conftest import SEARCH_ENGINES


@pytest.fixture(params=SEARCH_ENGINES)
def engine(request, db, tmp_path):
    opened = open_engine(request.param, db, tmp_path / "desk.db.index")
    yield opened
    opened.close()


def _pending_through_the_interface(engine: SearchEngine) -> int:
    """A caller that knows only the interface (mypy holds both engines to it here)."""
    return engine.pending()


def test_every_engine_the_desk_can_use_is_a_search_engine(engine, new_ticket):
    new_ticket(subject="Plotter jammed")
    assert isinstance(engine, SearchEngine)
    assert _pending_through_the_interface(engine) >= 1


@pytest.mark.parametrize("engine_class", [SearchIndex, PostgresSearch])
def test_each_engine_class_has_every_method_of_the_interface(engine_class):
    declared = {
        name
        for protocol in SearchEngine.__mro__
        if protocol is not object
        for name, member in vars(protocol).items()
        if not name.startswith("_") and (callable(member) or isinstance(member, property))
    }
    assert declared >= {"drain", "rebuild", "search", "pending", "location"}
    for name in declared:
        assert hasattr(engine_class, name), f"{engine_class.__name__} lacks {name}"
        if callable(getattr(SearchEngine, name)):
            wanted = inspect.signature(getattr(SearchEngine, name)).parameters
            given = inspect.signature(getattr(engine_class, name)).parameters
            assert set(wanted) <= set(given), (engine_class.__name__, name)
    # The one spelling of rebuild is shared; how it builds is each engine's own.
    assert engine_class._rebuild is not Rebuilds._rebuild


def test_postgresql_drain_takes_no_argument_it_would_ignore():
    """``settle`` hands Whoosh's outbox deletes to a thread; PostgreSQL deletes them in
    the drain's own transaction, so it has no such parameter to ignore."""
    assert "settle" not in inspect.signature(PostgresSearch.drain).parameters
    assert "settle" in inspect.signature(SearchIndex.drain).parameters

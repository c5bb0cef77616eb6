"""What a command just wrote is found by the next ``regentra search``, with no worker.

A fresh desk, or a host whose daemon is stopped, has nobody draining the search
outbox: ``kb add`` promised "indexed for search at once" and a new ticket or note
were not found until a worker ran, with nothing said. The search now indexes what
is pending itself before it answers, or says exactly why not and what to run.
"""

from __future__ import annotations

import json

import pytest

from regentra_core.config import load_settings
from regentra_core.search import SearchIndex
from regentra_core.search.catchup import search_fresh
from regentra_core.store import Database
from regentra_core.wiring import index_folder
from tests.conftest import SEARCH_ENGINES


@pytest.fixture(params=SEARCH_ENGINES)
def search_engine(request, monkeypatch) -> str:
    """Each search engine the desk can use, as the ``search_engine`` setting."""
    monkeypatch.setenv("REGENTRA_SEARCH_ENGINE", request.param)
    return str(request.param)


def _search(regentra, *words: str) -> tuple[list[dict], str]:
    """The hits and whatever note the search printed on stderr."""
    result = regentra("search", *words, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


def test_an_article_added_is_found_by_the_next_search_with_no_worker(
    search_engine, regentra, tmp_path
):
    body = tmp_path / "vpn.md"
    body.write_text("Power-cycle the frobnicator, then reconnect the VPN client.\n")
    assert regentra("kb", "add", "--title", "VPN drops", "--body-file", str(body)).exit_code == 0
    hits, note = _search(regentra, "frobnicator")
    assert [(h["kind"], h["key"]) for h in hits] == [("kb", "vpn-drops")]
    assert note == ""


def test_a_new_ticket_and_its_note_are_found_by_the_next_search_with_no_worker(
    search_engine, regentra
):
    ticket = regentra.json(
        "ticket", "create", "-s", "Plotter jams", "--contact", "p@x.example",
        "--description", "The quuxplotter eats every A1 sheet.",
    )  # fmt: skip
    hits, note = _search(regentra, "quuxplotter")
    assert [h["key"] for h in hits] == [str(ticket["number"])] and note == ""
    note_result = regentra("ticket", "note", str(ticket["number"]), "-b", "Swapped the zorbroller")
    assert note_result.exit_code == 0
    hits, note = _search(regentra, "zorbroller")
    assert [h["key"] for h in hits] == [str(ticket["number"])]
    assert note == ""


def test_a_fresh_desk_does_not_blame_a_worker_that_does_not_exist(search_engine, regentra):
    """The first search on a desk nobody indexed builds the index (it is small)."""
    hits, note = _search(regentra, "anything")
    assert hits == [] and "being rebuilt" not in note and note == ""


def test_a_large_unbuilt_index_with_no_worker_says_to_run_reindex(regentra, db_path):
    """Too large to build inside a search: the answer comes from the database and
    says exactly what to run (no worker is rebuilding it)."""
    regentra.json("ticket", "create", "-s", "Printer offline", "--contact", "p@x.example")
    settings = load_settings()
    db = Database(db_path)
    try:
        index = SearchIndex(index_folder(settings, db), db)
        hits = search_fresh(index, "printer", worker_running=lambda: False, build_limit=0)
        assert [h.title for h in hits] == ["Printer offline"] and not hits.complete
        assert hits.note is not None
        assert "the search index has not been built" in hits.note
        assert "regentra reindex" in hits.note and "being rebuilt" not in hits.note
        index.close()
    finally:
        db.close()


def test_changes_another_process_is_indexing_are_counted_in_the_answer(regentra, db_path):
    """The index's writer held elsewhere (a worker's batch, a long rebuild): the
    search answers from the index it has and says how many changes it has not seen."""
    regentra("reindex")
    regentra.json("ticket", "create", "-s", "Fax machine smokes", "--contact", "f@x.example")
    settings = load_settings()
    db = Database(db_path)
    try:
        index = SearchIndex(index_folder(settings, db), db)
        holder = index.ensure().writer()  # Whoosh's one writer, held by "another process"
        try:
            hits = search_fresh(index, "smokes", worker_running=lambda: False, budget=0.2)
        finally:
            holder.cancel()
        assert list(hits) == []
        assert hits.note is not None and "1 recent change is not indexed yet" in hits.note
        assert "regentra worker --once" in hits.note
        index.close()
    finally:
        db.close()

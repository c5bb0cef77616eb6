"""Search: what is found, how it is filtered, and the index as safe derived data."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select

from regentra_core.enums import Channel, Priority, Status
from regentra_core.errors import IllegalTransition, ValidationError
from regentra_core.search import PostgresSearch, SearchIndex, open_engine
from regentra_core.store.models import IndexOutbox, KBArticle
from tests.conftest import NO_SPIKE, POSTGRES, SEARCH_ENGINES, T0


@pytest.fixture(params=SEARCH_ENGINES)
def index(request, db, tmp_path):
    """The search of each engine the desk can use (the behaviour they share)."""
    engine = open_engine(request.param, db, tmp_path / "desk.db.index")
    yield engine
    engine.close()


@pytest.fixture
def whoosh_index(db, tmp_path):
    """The Whoosh index (what is about its folder, segments and writer)."""
    search_index = SearchIndex(tmp_path / "desk.db.index", db)
    yield search_index
    search_index.close()


@pytest.fixture
def desk_with_text(desk, db, new_ticket):
    """Tickets whose words live in different places."""
    a = new_ticket(subject="Plotter jammed on floor 3", description="paper everywhere")
    b = new_ticket(
        subject="Slow laptop",
        description="Takes ages to boot after the kraken update",
        client_name="Bigwig",
        contact_email="ceo@bigwig.example",
    )
    c = new_ticket(subject="Mail question", description="How do I share a calendar?")
    desk.add_technician_reply(c.number, "Open the calendar and choose Share with zephyr rights")
    desk.add_note(a.number, "Vendor says firmware quasar fixes it")
    with db.write() as s:
        s.add(
            KBArticle(
                slug="vpn",
                title="VPN troubleshooting",
                body="Check the tunnel gateway",
                tags="vpn",
                created_at=T0,
                updated_at=T0,
            )
        )
    return {"subject": a.number, "description": b.number, "reply": c.number}


def _keys(hits):
    return [(h.kind, h.key) for h in hits]


def test_finds_text_in_subject_description_reply_note_and_kb(index, desk_with_text):
    index.drain()
    assert ("ticket", str(desk_with_text["subject"])) in _keys(index.search("plotter"))
    assert ("ticket", str(desk_with_text["description"])) in _keys(index.search("kraken"))
    assert ("ticket", str(desk_with_text["reply"])) in _keys(index.search("zephyr"))
    noted = index.search("quasar")
    assert _keys(noted) == [("ticket", str(desk_with_text["subject"]))] and noted[0].in_note
    assert _keys(index.search("tunnel gateway")) == [("kb", "vpn")]


def test_a_search_of_one_kind_finds_only_documents_of_that_kind(index, desk_with_text, new_ticket):
    """Tickets are what is not an article (Whoosh masks the few articles), articles
    what is one; both with the same words."""
    both = new_ticket(subject="Tunnel gateway down", description="the vpn tunnel").number
    index.drain()
    assert sorted(_keys(index.search("tunnel gateway"))) == [("kb", "vpn"), ("ticket", str(both))]
    assert _keys(index.search("tunnel gateway", kind="ticket")) == [("ticket", str(both))]
    assert _keys(index.search("tunnel gateway", kind="kb")) == [("kb", "vpn")]
    assert index.search("plotter", kind="kb") == []


def test_snippets_mark_the_matching_words(index, desk_with_text):
    index.drain()
    [hit] = index.search("kraken")
    matched = [p for s in hit.snippets for p, is_match in s.pieces if is_match]
    assert matched == ["kraken"]


def test_prefix_phrase_and_field_filters(index, desk_with_text):
    index.drain()
    plotter, laptop = (("ticket", str(desk_with_text[k])) for k in ("subject", "description"))
    assert _keys(index.search("plot*")) == [plotter]
    assert _keys(index.search('"after the kraken"')) == [laptop]
    assert index.search('"kraken after"') == []
    assert _keys(index.search("client:bigwig")) == [laptop]
    assert _keys(index.search("laptop status:open")) == [laptop]
    assert index.search("laptop status:closed") == []
    assert index.search("laptop status:in-progress") == []


EVERYTHING = ["subject", "description", "reply", "kb"]
"""What a bare wildcard finds in ``desk_with_text``: its three tickets and the article."""


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ('"unbalanced', []),
        ("*", EVERYTHING),
        (":", []),
        ("(", []),
        (")", []),
        ("AND", []),
        ("OR NOT", []),
        ("status:", []),
        ("client:", []),
        ("a" * 499, []),
        ("title:(", []),
        ("\x00\x1b[2J", []),
        ("[bold]", []),
        ("ü∂ƒ", []),
        ("*:*", EVERYTHING),
        ("plot* AND (", ["subject"]),
        ("number:[1 TO", []),
    ],
)
def test_hostile_queries_are_answered_as_plain_searches(index, desk_with_text, query, found):
    """Broken syntax, operators alone and control characters are searched for as the
    words they hold (a dangling operator or bracket is dropped), never an error."""
    index.drain()
    result = index.search(query)
    expected = [("kb", "vpn") if k == "kb" else ("ticket", str(desk_with_text[k])) for k in found]
    assert sorted(_keys(result)) == sorted(expected)
    assert result.complete and result.note is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "type something to search for"),
        ("   ", "type something to search for"),
        ("x" * 501, "a search is at most 500 characters"),
    ],
)
def test_empty_or_huge_queries_are_refused_clearly(index, query, message):
    with pytest.raises(ValidationError) as refused:
        index.search(query)
    assert str(refused.value) == message


def test_every_write_queues_its_ticket_and_a_refused_one_queues_nothing(desk, db, new_ticket):
    t = new_ticket()
    with db.read() as s:
        before = s.exec(select(func.count()).select_from(IndexOutbox)).one()
    with pytest.raises(IllegalTransition):
        desk.change_status(t.number, Status.CLOSED)
    with db.read() as s:
        assert s.exec(select(func.count()).select_from(IndexOutbox)).one() == before
    desk.add_note(t.number, "x")
    with db.read() as s:
        assert s.exec(select(func.count()).select_from(IndexOutbox)).one() > before


def test_drain_is_exactly_once_across_a_crash_between_index_and_outbox(index, desk, db, new_ticket):
    index.rebuild()  # an index already in place, as in a running desk
    tickets = [new_ticket(subject=f"Unique{i} widget") for i in range(3)]

    def crash() -> None:
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        index.drain(after_index_commit=crash)
    assert index.pending() > 0  # nothing was marked done
    assert index.drain() > 0  # replayed
    assert index.pending() == 0
    assert len(index.search("widget")) == 3
    assert index.doc_count() == len(tickets)
    assert index.drain() == 0


def test_rows_handed_to_settle_stay_out_of_the_next_drain_until_forgotten(
    whoosh_index, desk, db, new_ticket
):
    whoosh_index.rebuild()
    [new_ticket(subject=f"Gizmo{i} rattles") for i in range(2)]
    handed: list[list[int]] = []
    drained = whoosh_index.drain(settle=handed.append)
    assert drained > 0 and whoosh_index.pending() == drained  # the delete is the caller's now
    new_ticket(subject="Gizmo9 squeaks")
    assert whoosh_index.drain(settle=handed.append) == 1  # only the new row, not the handed ones
    for outbox_ids in handed:
        whoosh_index.forget(outbox_ids)
    assert whoosh_index.pending() == 0
    assert len(whoosh_index.search("gizmo*")) == 3


def test_rows_whose_delete_failed_are_drained_again(
    whoosh_index, desk, db, new_ticket, monkeypatch
):
    whoosh_index.rebuild()
    new_ticket(subject="Sprocket slips")
    handed: list[list[int]] = []
    whoosh_index.drain(settle=handed.append)

    def locked():
        raise OSError("database is locked")

    monkeypatch.setattr(db, "write", locked)
    with pytest.raises(OSError):
        whoosh_index.forget(handed[0])
    monkeypatch.undo()
    assert whoosh_index.drain() == 1  # indexed again (harmless) and deleted this time
    assert whoosh_index.pending() == 0 and len(whoosh_index.search("sprocket")) == 1


# Whoosh leaves the damaged TOC file open when it fails to read it (its bug, not ours).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_damaged_index_is_answered_from_the_database_until_the_worker_rebuilds_it(
    whoosh_index, desk_with_text
):
    whoosh_index.drain()
    assert _keys(whoosh_index.search("plotter")) == [("ticket", str(desk_with_text["subject"]))]
    for file in whoosh_index.path.iterdir():
        if file.suffix in (".seg", ".toc"):
            file.write_bytes(b"garbage")
    assert not whoosh_index.is_healthy()
    meanwhile = whoosh_index.search("plotter")
    assert [h.number for h in meanwhile] == [desk_with_text["subject"]]  # from the database
    assert not meanwhile.complete  # ... and says so
    assert meanwhile.note and "may be incomplete" in meanwhile.note
    assert not whoosh_index.is_healthy()  # a search never rebuilds: that is the worker's job
    whoosh_index.drain()
    assert whoosh_index.is_healthy()
    assert whoosh_index.search("plotter").complete
    import gc

    gc.collect()  # collect Whoosh's leaked file here, under this test's filters


def test_rebuild_indexes_everything_and_clears_the_outbox(index, desk_with_text, db):
    count = index.rebuild()
    assert count == 4  # three tickets and one article
    assert index.pending() == 0


def test_search_over_new_channels_and_priorities(index, desk, clients):
    hot = desk.create_ticket(
        subject="SMS: server room too hot",
        description="",
        priority=Priority.CRITICAL,
        channel=Channel.SMS,
        contact_phone="+15550001111",
    )
    index.drain()
    assert [h.number for h in index.search("priority:critical hot")] == [hot.number]


def test_a_deleted_index_never_blocks_a_search_the_worker_rebuilds_it(
    whoosh_index, desk_with_text, monkeypatch
):
    whoosh_index.drain()
    whoosh_index.close()
    import shutil

    shutil.rmtree(whoosh_index.path)
    rebuilt = []
    monkeypatch.setattr(whoosh_index, "rebuild", lambda *a, **k: rebuilt.append(1) or 0)
    found = whoosh_index.search("plotter")
    assert [h.key for h in found] == ["1001"] and not found.complete
    assert rebuilt == [] and not whoosh_index.path.exists()  # the search did not rebuild
    monkeypatch.undo()
    assert whoosh_index.drain() >= 3  # the worker's job rebuilt it
    assert whoosh_index.search("zephyr").complete


def test_a_huge_message_is_indexed_by_its_beginning_only(index, desk, new_ticket):
    from regentra_core.search.documents import MAX_FIELD

    t = new_ticket(subject="Backup log", description="")
    desk.add_customer_reply(t.number, "start marker " + "noise " * 2_000_000 + " endmarker")
    index.drain()
    [hit] = index.search("marker")
    assert hit.key == str(t.number)
    assert not index.search("endmarker")  # past the indexed beginning
    assert len(_stored_body(index, t.number)) <= MAX_FIELD


def _stored_body(index, number: int) -> str:
    if isinstance(index, PostgresSearch):
        from regentra_core.search.postgres import DOCUMENTS

        with index.db.read() as s:
            query = select(DOCUMENTS.c.body).where(DOCUMENTS.c.key == str(number))
            return str(s.execute(query).scalar_one())
    with index.ensure().searcher() as searcher:
        return str(searcher.document(key=str(number))["body"])


@pytest.mark.parametrize("desk_config", [NO_SPIKE])  # eight tickets at once, one document each
def test_a_burst_is_committed_unmerged_and_merged_once_caught_up(whoosh_index, db, new_ticket):
    """Drains during a burst each add a segment (Whoosh would merge small ones at
    every commit); the merge waits until nothing is pending, and every ticket is
    searchable before and after it."""
    whoosh_index.rebuild()
    before = len(whoosh_index.ensure()._segments())
    numbers = [new_ticket(subject=f"Printer {n} offline").number for n in range(8)]
    for _ in range(8):
        assert whoosh_index.drain(batch=1) == 1
    assert len(whoosh_index.ensure()._segments()) == before + 8  # the burst, not merged yet
    assert sorted(h.number for h in whoosh_index.search("printer")) == sorted(numbers)
    assert whoosh_index.drain() == 0  # caught up: now the small segments are merged
    assert len(whoosh_index.ensure()._segments()) < before + 8
    assert sorted(h.number for h in whoosh_index.search("printer")) == sorted(numbers)


@pytest.mark.parametrize("desk_config", [NO_SPIKE])
def test_after_a_large_drain_the_catch_up_merges_the_index_into_one_segment(
    whoosh_index, db, new_ticket, monkeypatch
):
    """A daemon's first catch-up left eight segments, and a common word cost twice
    what it costs on one; a small drain keeps the cheap merge of small segments."""
    from regentra_core.search import engine as engine_module

    monkeypatch.setattr(engine_module, "LARGE_DRAIN", 6)
    whoosh_index.rebuild()
    numbers = [new_ticket(subject=f"Printer {n} offline").number for n in range(3)]
    for _ in range(3):
        whoosh_index.drain(batch=1)
    assert whoosh_index.drain() == 0  # caught up after 3 documents: not large
    assert len(whoosh_index.ensure()._segments()) > 1
    numbers += [new_ticket(subject=f"Printer {n} jammed").number for n in range(3)]
    for _ in range(3):
        whoosh_index.drain(batch=1)
    assert whoosh_index.drain() == 0  # 6 since the last whole merge: large
    assert len(whoosh_index.ensure()._segments()) == 1
    assert sorted(h.number for h in whoosh_index.search("printer")) == sorted(numbers)


def test_an_analysis_that_changes_only_the_suggestion_queues_no_reindex(db, desk, new_ticket):
    from regentra_core.ai.analysis import Analysis

    t = new_ticket(priority=Priority.MEDIUM)
    with db.write() as s:
        s.execute(IndexOutbox.__table__.delete())
    desk.record_analysis(t.number, Analysis(Priority.LOW, False, False, 0.5, "quiet", "rules"))
    with db.read() as s:
        assert s.exec(select(func.count()).select_from(IndexOutbox)).one() == 0
    desk.record_analysis(t.number, Analysis(Priority.HIGH, True, False, 0.9, "phish", "rules"))
    with db.read() as s:  # the escalation changed the priority: that is searchable
        assert s.exec(select(func.count()).select_from(IndexOutbox)).one() == 1


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL's search needs a PostgreSQL desk")
def test_both_engines_find_the_same_tickets(db, tmp_path, desk_with_text):
    whoosh = SearchIndex(tmp_path / "w.index", db)
    postgres = PostgresSearch(db)
    whoosh.rebuild()
    postgres.rebuild()
    for query in [
        "plotter",
        "plot*",
        "calendar share",
        '"after the kraken"',
        "laptop status:open",
        "client:bigwig",
        "zephyr OR quasar",
        "laptop NOT kraken",
        "title:calendar",
        "priority:medium",
        f"number:{desk_with_text['reply']}",
        "the",
    ]:
        assert sorted(_keys(whoosh.search(query))) == sorted(_keys(postgres.search(query))), query
    whoosh.close()


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL's search needs a PostgreSQL desk")
def test_every_host_answers_from_the_one_database(db, db_path, desk, new_ticket):
    """A ticket drained by the worker on one host is found at once from another host,
    which has no index folder of its own."""
    from regentra_core.store import Database

    worker_host = PostgresSearch(db)
    worker_host.rebuild()
    t = new_ticket(subject="Fax gateway hums")
    other = Database(db_path)
    try:
        technician_host = PostgresSearch(other)
        assert technician_host.search("hums") == []  # not drained yet
        assert worker_host.drain() == 1
        assert [h.number for h in technician_host.search("hums")] == [t.number]
        assert technician_host.pending() == 0
    finally:
        other.close()


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL's search needs a PostgreSQL desk")
def test_postgres_search_before_its_first_build_answers_from_the_database(desk_with_text, db):
    engine = PostgresSearch(db)
    meanwhile = engine.search("plotter")
    assert [h.number for h in meanwhile] == [desk_with_text["subject"]]
    assert not meanwhile.complete and meanwhile.note
    engine.drain()  # the worker builds it first
    assert engine.is_healthy() and engine.search("plotter").complete


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL's search needs a PostgreSQL desk")
def test_postgres_search_refuses_a_wildcard_inside_a_word_clearly(db, desk_with_text):
    engine = PostgresSearch(db)
    engine.drain()
    with pytest.raises(ValidationError, match="beginning of a word"):
        engine.search("pl?tter")


@pytest.mark.sqlite_only
def test_postgresql_search_on_a_sqlite_desk_is_refused_clearly(db):
    with pytest.raises(ValidationError, match="needs a PostgreSQL database_url"):
        PostgresSearch(db)


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL's search needs a PostgreSQL desk")
def test_a_thread_whose_words_exceed_a_tsvector_is_kept_by_its_beginning(db, desk, new_ticket):
    """PostgreSQL refuses a tsvector whose words take over 1 MB: the capped fields of a
    thread of pasted text in four-byte characters (here: rare CJK ideographs) reach
    it. That ticket is searchable by the beginning of its text instead of failing
    its batch (and the worker, again and again)."""
    import random

    from regentra_core.search.postgres import SHORTENED

    chars = random.Random(3)

    def pasted() -> str:
        words = (
            "".join(chr(0x20000 + chars.randrange(40_000)) for _ in range(3)) for _ in range(6_000)
        )
        return " ".join(words)[:20_000]

    t = new_ticket(subject="Pasted glyphs", description="firstword " + pasted())
    neighbour = new_ticket(subject="Neighbour in the same batch")
    for _ in range(10):
        desk.add_customer_reply(t.number, pasted())
        desk.add_note(t.number, pasted())
    engine = PostgresSearch(db)
    engine.drain()
    assert [h.number for h in engine.search("firstword")] == [t.number]
    assert [h.number for h in engine.search("neighbour")] == [neighbour.number]
    assert len(_stored_body(engine, t.number)) == SHORTENED

"""A search that filters the board or the list counts every ticket it matches.

``printer`` was in all 100,000 tickets of a seeded desk, 1,462 of them Open; after
searching it the board said "Open 9": the box took the best 500 ranked hits across
every status and filtered those. Here the best-ranked set is made small (and the set
bound whole is made to start small) so a few tickets stand for a large desk.
"""

from __future__ import annotations

import pytest

from regentra_core.enums import Channel, Priority, Status
from regentra_core.queries import TicketFilter, number_set
from regentra_core.search import open_engine
from regentra_tui import session as session_module
from regentra_tui.session import DeskSession
from tests.conftest import NO_SPIKE, SEARCH_ENGINES

STATUSES = [Status.OPEN] * 5 + [Status.IN_PROGRESS] * 3 + [Status.WAITING_ON_CUSTOMER] * 2


@pytest.fixture(params=SEARCH_ENGINES)
def engine(request, db, tmp_path):
    found = open_engine(request.param, db, tmp_path / "desk.db.index")
    yield found
    found.close()


@pytest.fixture(params=["bound whole", "as ranges"])
def small_sets(request, monkeypatch):
    """Two ranked results; sets over three numbers bound whole (json_each / ANY) or,
    where they are a few runs of consecutive numbers, as ``BETWEEN`` ranges."""
    monkeypatch.setattr(session_module, "RANKED", 2)
    monkeypatch.setattr(number_set, "PLAIN_UP_TO", 3)
    monkeypatch.setattr(number_set, "RANGES_UP_TO", 0 if request.param == "bound whole" else 4)


@pytest.fixture
def printers(desk, engine) -> dict[int, Status]:
    """Ten tickets about a printer in three statuses, and two about something else."""
    made = {}
    for n, status in enumerate(STATUSES):
        number = desk.create_ticket(
            subject=f"Printer {n} offline",
            description="The printer shows an error",
            priority=Priority.MEDIUM,
            channel=Channel.MANUAL,
            contact_email=f"user{n}@acme.example",
        ).number
        if status != Status.OPEN:
            desk.change_status(number, status)
        made[number] = status
    for subject in ("Laptop slow", "Mailbox full"):
        desk.create_ticket(
            subject=subject,
            description="Nothing to do with paper",
            priority=Priority.LOW,
            channel=Channel.MANUAL,
            contact_email="other@acme.example",
        )
    engine.ensure()
    while engine.drain():
        pass
    return made


@pytest.mark.parametrize("desk_config", [NO_SPIKE])
def test_the_search_matches_every_ticket_not_only_the_best_ranked(engine, printers, small_sets):
    assert engine.matching("printer").numbers == frozenset(printers)
    assert engine.matching("printr").numbers == frozenset()


@pytest.mark.parametrize("desk_config", [NO_SPIKE])
def test_the_boards_counts_after_a_search_are_every_match_per_status(
    db, alice, clock, engine, printers, small_sets
):
    session = DeskSession(db, alice, clock, engine)
    columns = session.board(TicketFilter(text="printer"), list(Status))
    counts = {c.status: c.total for c in columns if c.total}
    assert counts == {Status.OPEN: 5, Status.IN_PROGRESS: 3, Status.WAITING_ON_CUSTOMER: 2}
    shown = {r.number for c in columns for r in c.rows}
    assert shown == set(printers)


@pytest.mark.parametrize("desk_config", [NO_SPIKE])
def test_the_list_of_a_search_pages_through_every_match_best_ranked_first(
    db, alice, clock, engine, printers, small_sets
):
    from regentra_core.queries import SortKey

    session = DeskSession(db, alice, clock, engine)
    f = TicketFilter(text="printer", statuses=(Status.OPEN, Status.IN_PROGRESS))
    pages = [session.list_page(f, SortKey.NUMBER, False, offset, 3) for offset in (0, 3, 6)]
    assert [p.total for p in pages] == [8, 8, 8]
    numbers = [r.number for p in pages for r in p.rows]
    wanted = {n for n, s in printers.items() if s in (Status.OPEN, Status.IN_PROGRESS)}
    assert sorted(numbers) == sorted(wanted)  # each once, none left out
    best = session.resolve(f, rank=True).ranked
    lead = [n for n in best if n in wanted]
    assert numbers[: len(lead)] == lead  # the best ranked (that the filters keep) lead
    rest = numbers[len(lead) :]
    assert rest == sorted(rest)  # then the others in the list's order


@pytest.mark.parametrize("desk_config", [NO_SPIKE])
def test_a_search_matching_too_many_to_rank_is_listed_in_the_lists_order_unranked(
    db, alice, clock, engine, printers, monkeypatch
):
    """Ranking a common word's 100,000 matches took seconds a page turn: past
    RANK_UP_TO the list keeps its own order and asks for no ranking at all."""
    from regentra_core.queries import SortKey

    ranked = []
    monkeypatch.setattr(session_module, "RANK_UP_TO", len(printers) - 1)
    monkeypatch.setattr(engine, "search", lambda *a, **k: ranked.append(a))
    session = DeskSession(db, alice, clock, engine)
    page = session.list_page(TicketFilter(text="printer"), SortKey.NUMBER, True, 0, 50)
    assert page.total == len(printers) and not ranked
    assert [r.number for r in page.rows] == sorted(printers, reverse=True)


def test_a_set_of_numbers_is_its_runs_only_when_they_are_few():
    assert number_set.runs_of({5, 1, 2, 3, 9, 10}, 3) == [(1, 3), (5, 5), (9, 10)]
    assert number_set.runs_of({5, 1, 2, 3, 9, 10}, 2) is None
    assert number_set.runs_of({7}, 1) == [(7, 7)]
    assert number_set.runs_of({7}, 0) is None


@pytest.mark.parametrize("desk_config", [NO_SPIKE])
def test_the_boards_search_set_is_cut_to_the_tickets_the_board_shows(
    db, alice, clock, desk, engine, printers, small_sets
):
    """The board binds its search's numbers to every statement it runs; they are cut
    first to its working tickets and this week's done ones, and it counts the same."""
    from regentra_core.queries import on_the_board

    old = desk.create_ticket(
        subject="Printer fixed long ago",
        description="printer",
        priority=Priority.LOW,
        channel=Channel.MANUAL,
        contact_email="old@acme.example",
    ).number
    desk.change_status(old, Status.RESOLVED)
    clock.advance(days=8)
    recent = desk.create_ticket(
        subject="Printer fixed today",
        description="printer",
        priority=Priority.LOW,
        channel=Channel.MANUAL,
        contact_email="new@acme.example",
    ).number
    desk.change_status(recent, Status.RESOLVED)
    while engine.drain():
        pass
    session = DeskSession(db, alice, clock, engine)
    every = session.resolve(TicketFilter(text="printer")).filter
    assert set(every.numbers or ()) == {*printers, old, recent}
    shown = on_the_board(db, every, clock() - session_module.BOARD_DONE_FOR)
    assert set(shown.numbers or ()) == {*printers, recent}
    columns = session.board(TicketFilter(text="printer"), list(Status))
    counts = {c.status: c.total for c in columns if c.total}
    assert counts == {
        Status.OPEN: 5,
        Status.IN_PROGRESS: 3,
        Status.WAITING_ON_CUSTOMER: 2,
        Status.RESOLVED: 1,
    }
    page = session.board_page(TicketFilter(text="printer"), Status.RESOLVED, 0)
    assert [r.number for r in page] == [recent]


def test_a_bound_set_of_numbers_leaves_the_statement_the_same_for_the_cache():
    """Each set is a value bound to one cached statement: compiling the board's query
    again for every search took ~10 ms a statement."""
    from sqlalchemy import select
    from sqlmodel import col

    from regentra_core.store.models import Ticket

    def statement(numbers):
        return select(col(Ticket.id)).where(number_set.in_number_set(col(Ticket.number), numbers))

    scattered = [range(1, 2000, 3), range(5, 4000, 7)]
    keys = [statement(set(numbers))._generate_cache_key() for numbers in scattered]
    assert keys[0] is not None and keys[0].key == keys[1].key
    assert keys[0].bindparams[0].value != keys[1].bindparams[0].value
